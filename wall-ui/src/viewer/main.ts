// A single stream in a window of its own (an operator pops a tile out; tests use it too).
// window.hubViewer exposes the state history and the player's stats for automation.
import { openStream, type PlayerState, type PlayerStateDetail, type PlayerStats } from '../shared/stream-player';
import { viewerParams } from './params';
import { messages } from './messages';

declare global {
  interface Window {
    hubViewer?: { states: PlayerState[]; detail?: PlayerStateDetail; stats(): Promise<PlayerStats> };
  }
}

const video = document.getElementById('video') as HTMLVideoElement;
const stateEl = document.getElementById('state')!;
const statsEl = document.getElementById('stats')!;
const t = messages();
const params = viewerParams(window.location);

if ('error' in params) {
  stateEl.dataset.state = 'offline';
  stateEl.textContent = t.missingParams;
} else {
  document.title = `${t.title} ${params.streamId.slice(0, 6)}…`;
  const states: PlayerState[] = [];
  const exposed: NonNullable<Window['hubViewer']> = { states, stats: async () => player.stats() };
  window.hubViewer = exposed;
  const player = openStream(video, params.streamId, {
    token: params.token,
    hubUrl: params.hubUrl,
    onState(state, detail) {
      if (states[states.length - 1] !== state) states.push(state);
      exposed.detail = detail;
      stateEl.dataset.state = state;
      stateEl.textContent = t.state[state] + (detail?.message && state !== 'live' ? ` — ${detail.message}` : '');
    },
  });
  setInterval(async () => {
    const s = await player.stats();
    statsEl.textContent = s.framesDecoded ? t.stats(s) : '';
  }, 1000);
  window.addEventListener('pagehide', () => player.close());
}
