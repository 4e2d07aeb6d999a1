// Strings of the incident replay page, in English and Simplified Chinese.
import { translator as pageTranslator, type Lang } from '../shared/page-language';
import { incidentWords } from '../shared/incident-words';
export const en = {
  ...incidentWords.en,
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
  'video.empty': 'This recording holds no video: the camera sent nothing the recorder could write while it ran.',
  'video.unreachable': 'The recorded video could not be fetched from the hub (it may have been deleted by retention). Try again later.',
  'video.damaged': 'The recorded video is damaged and cannot be played here. The evidence pack still holds its segments with their hashes.',
  'video.cannotPlay': 'The recorded video cannot be played in this browser.',
  'video.audio': 'with sound',
  state: 'State',
  map: 'Tracks',
  noMse: 'This browser cannot play HLS video (it has no Media Source Extensions).',
  'event.by': 'by',
} as const;

export type MessageKey = keyof typeof en;

export const zhCN: Record<MessageKey, string> = {
  ...incidentWords.zhCN,
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
  'video.empty': '此录像没有视频：录制期间摄像头未发送可写入的画面。',
  'video.unreachable': '无法从中心获取录像（可能已按保存期限删除）。请稍后再试。',
  'video.damaged': '录像已损坏，无法在此播放。证据包中仍保存其分段及哈希值。',
  'video.cannotPlay': '此浏览器无法播放该录像。',
  'video.audio': '含声音',
  state: '状态',
  map: '轨迹',
  noMse: '此浏览器无法播放 HLS 录像（不支持 Media Source Extensions）。',
  'event.by': '操作者',
};

export { pickLang, type Lang } from '../shared/page-language';

export function translator(lang: Lang): (key: MessageKey) => string {
  return pageTranslator({ en, zhCN }, lang);
}
