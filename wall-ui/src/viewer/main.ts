// A single stream in a window of its own (an operator pops a tile out; tests use it too).
// window.hubViewer exposes the state history and the player's stats for automation.
import { openStream, type PlayerState, type PlayerStateDetail, type PlayerStats } from '../shared/stream-player';
import { viewerParams } from './params';
import { messages } from './messages';

declare global {
  interface Window {
    hubViewer?: {
      states: PlayerState[];
      detail?: PlayerStateDetail;
      stats(): Promise<PlayerStats>;
      /** asks for another picture height (simulcast layer) on the same connection */
      setMaxHeight(h: number | undefined): void;
    };
  }
}

const video = document.getElementById('video') as HTMLVideoElement;
const stateEl = document.getElementById('state')!;
const statsEl = document.getElementById('stats')!;
const soundEl = document.getElementById('sound') as HTMLButtonElement;
const t = messages();
const params = viewerParams(window.location);

if ('error' in params) {
  stateEl.dataset.state = 'offline';
  stateEl.textContent = t.missingParams;
} else {
  document.title = `${t.title} ${params.streamId.slice(0, 6)}…`;
  const states: PlayerState[] = [];
  const exposed: NonNullable<Window['hubViewer']> = { states, stats: async () => player.stats(), setMaxHeight: (h) => player.setMaxHeight(h) };
  window.hubViewer = exposed;
  // without maxHeight= it asks for the window's height in device pixels
  const fitted = () => Math.round(video.clientHeight * window.devicePixelRatio) || undefined;
  const player = openStream(video, params.streamId, {
    token: params.token,
    hubUrl: params.hubUrl,
    maxHeight: params.maxHeight ?? fitted(),
    onState(state, detail) {
      if (states[states.length - 1] !== state) states.push(state);
      exposed.detail = detail;
      stateEl.dataset.state = state;
      stateEl.textContent = t.state[state] + (detail?.message && state !== 'live' ? ` — ${detail.message}` : '');
    },
  });
  if (params.maxHeight === undefined) new ResizeObserver(() => player.setMaxHeight(fitted())).observe(video);
  // muted at first (autoplay with sound needs a gesture); the button shows once the stream has audio
  const showSound = () => {
    soundEl.textContent = video.muted ? t.unmute : t.mute;
    soundEl.dataset.muted = String(video.muted);
  };
  soundEl.addEventListener('click', () => {
    video.muted = !video.muted;
    if (!video.muted) void video.play().catch(() => {});
    showSound();
  });
  setInterval(async () => {
    const s = await player.stats();
    statsEl.textContent = s.framesDecoded ? t.stats(s) : '';
    if (soundEl.hidden && s.audio && s.audio.totalSamplesReceived > 0) {
      soundEl.hidden = false;
      showSound();
    }
  }, 1000);
  window.addEventListener('pagehide', () => player.close());
}
