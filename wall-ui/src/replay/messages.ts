// Strings of the incident replay page, in English and Simplified Chinese.
import { translator as pageTranslator, type Lang } from '../shared/page-language';
export const en = {
  title: 'Incident replay',
  incident: 'Incident',
  timeline: 'Timeline',
  recording: 'Recording',
  noRecording: 'No recorded video for this incident.',
  noTrack: 'No GPS track for this incident.',
  videoTime: 'Video time',
  loading: 'Loading…',
  noToken: 'Open this page from the wall: it needs a sign-in token (#token=…&incident=…).',
  noIncident: 'No incident given (#incident=…).',
  error: 'Could not load the replay',
  videoError: 'The video cannot be played',
  state: 'State',
  map: 'Tracks',
  noMse: 'this browser cannot play HLS video (no Media Source Extensions)',
  'state.reported': 'reported',
  'state.dispatched': 'dispatched',
  'state.en_route': 'en route',
  'state.on_scene': 'on scene',
  'state.resolved': 'resolved',
  'state.closed': 'closed',
} as const;

export type MessageKey = keyof typeof en;

export const zhCN: Record<MessageKey, string> = {
  title: '事件回放',
  incident: '事件',
  timeline: '时间线',
  recording: '录像',
  noRecording: '该事件没有录像。',
  noTrack: '该事件没有 GPS 轨迹。',
  videoTime: '录像时间',
  loading: '加载中…',
  noToken: '请从大屏打开此页：需要登录令牌（#token=…&incident=…）。',
  noIncident: '未指定事件（#incident=…）。',
  error: '无法加载回放',
  videoError: '无法播放录像',
  state: '状态',
  map: '轨迹',
  noMse: '此浏览器无法播放 HLS 录像（不支持 Media Source Extensions）',
  'state.reported': '已上报',
  'state.dispatched': '已派遣',
  'state.en_route': '途中',
  'state.on_scene': '已到场',
  'state.resolved': '已处置',
  'state.closed': '已关闭',
};

export { pickLang, type Lang } from '../shared/page-language';

export function translator(lang: Lang): (key: MessageKey) => string {
  return pageTranslator({ en, zhCN }, lang);
}
