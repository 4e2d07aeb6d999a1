// The viewer's strings, in zh-CN and en (the browser's language; `?lang=` overrides).
import type { PlayerState, PlayerStats } from '../shared/stream-player';

interface ViewerMessages {
  title: string;
  missingParams: string;
  state: Record<PlayerState, string>;
  stats(s: PlayerStats): string;
  /** the sound button: what it does now */
  unmute: string;
  mute: string;
}

const en: ViewerMessages = {
  title: 'Stream',
  missingParams: 'Missing token or stream: open /viewer#token=<operator token>&stream=<stream id>',
  state: { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' },
  stats: (s) =>
    `${s.width}×${s.height} · ${Math.round(s.fps)} fps · ${s.bitrateKbps} kbit/s · ${s.packetsLost} lost${s.codec ? ` · ${s.codec.replace('video/', '')}` : ''}` +
    (s.estimatedDelayMs !== undefined ? ` · delay ≈ ${s.estimatedDelayMs} ms (estimate: jitter buffer + half the round trip)` : ''),
  unmute: '🔇 Sound off — click to listen',
  mute: '🔊 Sound on — click to mute',
};

const zh: ViewerMessages = {
  title: '视频流',
  missingParams: '缺少令牌或视频流：请打开 /viewer#token=<操作员令牌>&stream=<视频流编号>',
  state: { connecting: '正在连接…', live: '直播中', reconnecting: '正在重新连接…', offline: '离线' },
  stats: (s) =>
    `${s.width}×${s.height} · ${Math.round(s.fps)} 帧/秒 · ${s.bitrateKbps} kbit/s · 丢包 ${s.packetsLost}${s.codec ? ` · ${s.codec.replace('video/', '')}` : ''}` +
    (s.estimatedDelayMs !== undefined ? ` · 延迟约 ${s.estimatedDelayMs} 毫秒（估计值：抖动缓冲 + 半个往返时间）` : ''),
  unmute: '🔇 声音已关闭 — 点击收听',
  mute: '🔊 声音已打开 — 点击静音',
};

export function messages(lang = new URLSearchParams(window.location.search).get('lang') ?? navigator.language): ViewerMessages {
  return lang.toLowerCase().startsWith('zh') ? zh : en;
}
