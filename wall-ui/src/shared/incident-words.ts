// How an incident's states and the events of its trail are said, in English and Simplified
// Chinese: one table for the wall's incident panel and the replay page. An event kind missing
// here is shown in plain words by the page (its underscores as spaces).
const en = {
  'state.reported': 'reported',
  'state.dispatched': 'dispatched',
  'state.en_route': 'en route',
  'state.on_scene': 'on scene',
  'state.resolved': 'resolved',
  'state.closed': 'closed',
  'event.created': 'Incident opened',
  'event.transition': 'State changed',
  'event.reopened': 'Reopened',
  'event.merged': 'Merged',
  'event.dispatch_sent': 'Unit dispatched',
  // before delivery and acceptance were told apart (older trails): the unit's device answered
  'event.unit_acknowledged': 'Unit acknowledged',
  'event.unit_delivered': 'Order delivered to the unit’s device',
  'event.unit_undeliverable': 'The unit’s device could not take the order',
  'event.unit_timed_out': 'The unit did not answer in time',
  'event.next_unit_offered': 'Next nearest unit offered to the coordinator',
  'event.unit_accepted': 'Unit accepted',
  'event.unit_refused': 'Unit refused',
  'event.unit_en_route': 'Unit en route',
  'event.unit_on_scene': 'Unit on scene',
  'event.escalated': 'Escalated: nobody acknowledged in time',
  'event.note': 'Note',
  // the notice loop (notices/): texts to a plate's or shop's owner, grace, re-check, escalation
  'event.noticed': 'Owner noticed by SMS: grace period running',
  'event.notice_skipped': 'No notice: the subject is not in the registry',
  'event.notice_rate_limited': 'No text sent: this subject was texted too often',
  'event.notice_submitted': 'Text accepted by the SMS gateway',
  'event.notice_delivered': 'Text delivered to the owner’s phone',
  'event.notice_failed': 'Text not delivered',
  'event.grace_ended': 'Grace period over, subject not seen again: awaiting re-check',
  'event.notice_escalated': 'Still there after the grace period: escalated',
  'event.resolved_by_notice': 'Resolved by notice',
  'event.subject_cleared': 'The camera reports the subject gone',
  // departments (departments/): routing, transfer, deadline, hotline, verification
  'event.department_routed': 'Routed to a department',
  'event.department_unrouted': 'No department answers for this case',
  'event.department_transferred': 'Transferred to another department',
  'event.department_overdue': 'Past its deadline at the department: escalated',
  'event.hotline_complaint': '12319 hotline complaint recorded',
  'event.evidence_captured': 'Photo from the scene received',
  'event.evidence_overridden': 'Closed without the scene photo, by an admin’s override',
} as const;

export type IncidentWordKey = keyof typeof en;

const zhCN: Record<IncidentWordKey, string> = {
  'state.reported': '已上报',
  'state.dispatched': '已派遣',
  'state.en_route': '途中',
  'state.on_scene': '已到场',
  'state.resolved': '已处置',
  'state.closed': '已关闭',
  'event.created': '事件创建',
  'event.transition': '状态变更',
  'event.reopened': '重新打开',
  'event.merged': '已合并',
  'event.dispatch_sent': '已派遣单位',
  'event.unit_acknowledged': '单位已确认',
  'event.unit_delivered': '指令已送达单位设备',
  'event.unit_undeliverable': '单位设备无法接收指令',
  'event.unit_timed_out': '单位未及时应答',
  'event.next_unit_offered': '已向调度员推荐下一最近单位',
  'event.unit_accepted': '单位已接受',
  'event.unit_refused': '单位已拒绝',
  'event.unit_en_route': '单位途中',
  'event.unit_on_scene': '单位已到场',
  'event.escalated': '已升级：无人及时确认',
  'event.note': '备注',
  'event.noticed': '已短信告知当事人：整改期计时中',
  'event.notice_skipped': '未告知：登记库中无此对象',
  'event.notice_rate_limited': '未发短信：对该对象发送过于频繁',
  'event.notice_submitted': '短信网关已受理',
  'event.notice_delivered': '短信已送达当事人手机',
  'event.notice_failed': '短信未送达',
  'event.grace_ended': '整改期已过，未再次发现：待复核',
  'event.notice_escalated': '整改期后仍在：已升级',
  'event.resolved_by_notice': '告知后已整改',
  'event.subject_cleared': '摄像头报告对象已离开',
  'event.department_routed': '已派至责任部门',
  'event.department_unrouted': '无对应责任部门',
  'event.department_transferred': '已转派至其他部门',
  'event.department_overdue': '部门处置超期：已升级',
  'event.hotline_complaint': '已登记12319热线投诉',
  'event.evidence_captured': '已收到现场核查照片',
  'event.evidence_overridden': '管理员特批：无现场照片结案',
};

export const incidentWords = { en, zhCN };

/** A table's keys under a prefix, for a page whose keys are grouped by panel (`incident.state.closed`). */
export function withPrefix<P extends string, T extends Record<string, string>>(prefix: P, table: T): { [K in keyof T & string as `${P}${K}`]: T[K] } {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [prefix + k, v])) as { [K in keyof T & string as `${P}${K}`]: T[K] };
}
