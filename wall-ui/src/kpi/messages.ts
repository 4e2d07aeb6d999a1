// Strings of the KPI page, in English and Simplified Chinese.
import { translator as pageTranslator, type Lang } from '../shared/page-language';
export const en = {
  title: 'Response times',
  from: 'From',
  to: 'To',
  groupBy: 'Group by',
  'groupBy.unit': 'Unit',
  'groupBy.team': 'Team',
  'groupBy.district': 'District',
  refresh: 'Show',
  csv: 'Download CSV',
  incidents: 'Incidents',
  count: 'n',
  median: 'median',
  p90: '90th pct.',
  'metric.acknowledge': 'Alarm acknowledged (operator)',
  'metric.dispatch': 'To dispatch',
  'metric.deliver': 'To deliver (device)',
  'metric.accept': 'To accept (person)',
  'metric.arrive': 'To arrive',
  'metric.resolve': 'To resolve',
  seconds: 's',
  none: 'No incidents in this period.',
  loading: 'Loading…',
  legend: 'Bar: median; line: 90th percentile (seconds from the report).',
  error: 'Could not load the figures',
  // the departments' ranking (departments/): the same table as the assessment page's
  ranking: 'Departments ranked',
  rank: 'Rank',
  department: 'Department',
  received: 'Cases',
  inTimeRate: 'In time',
  overdue: 'Overdue',
  'stage.total': 'Received → resolved, median',
  assessmentLink: 'Full assessment',
} as const;

export type MessageKey = keyof typeof en;

export const zhCN: Record<MessageKey, string> = {
  title: '响应时间',
  from: '开始',
  to: '结束',
  groupBy: '分组',
  'groupBy.unit': '单位',
  'groupBy.team': '班组',
  'groupBy.district': '辖区',
  refresh: '查询',
  csv: '下载 CSV',
  incidents: '事件数',
  count: '数量',
  median: '中位数',
  p90: '90 分位',
  'metric.acknowledge': '告警确认用时（值班员）',
  'metric.dispatch': '派遣用时',
  'metric.deliver': '送达用时（设备）',
  'metric.accept': '接受用时（人员）',
  'metric.arrive': '到场用时',
  'metric.resolve': '处置用时',
  seconds: '秒',
  none: '该时段没有事件。',
  loading: '加载中…',
  legend: '柱：中位数；线：90 分位（自报告起的秒数）。',
  error: '无法加载数据',
  ranking: '部门排名',
  rank: '名次',
  department: '部门',
  received: '案件数',
  inTimeRate: '按期率',
  overdue: '超期',
  'stage.total': '受理 → 办结中位用时',
  assessmentLink: '完整考核',
};

export { pickLang, type Lang } from '../shared/page-language';

export function translator(lang: Lang): (key: MessageKey) => string {
  return pageTranslator({ en, zhCN }, lang);
}
