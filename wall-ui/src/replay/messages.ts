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
};

export { pickLang, type Lang } from '../shared/page-language';

export function translator(lang: Lang): (key: MessageKey) => string {
  return pageTranslator({ en, zhCN }, lang);
}
