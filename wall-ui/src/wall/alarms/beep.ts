// A sound per alarm priority through WebAudio (no sound file to ship offline), so a
// coordinator who looks away still knows what came: SOS is a fast rising triple, sounded twice;
// an escalation a two-tone call; a unit out of sight two low tones; a broken rule one tone;
// upkeep one soft low tone.
import { ALARM_PRIORITY, type AlarmKind } from '@hub/config';

let ctx: AudioContext | undefined;

/** [frequency Hz, start s, length s] */
type Note = readonly [number, number, number];

const PATTERNS: Record<number, { notes: readonly Note[]; wave: OscillatorType; gain: number }> = {
  // sos
  0: {
    wave: 'square',
    gain: 0.25,
    notes: [
      [880, 0, 0.1],
      [1175, 0.12, 0.1],
      [1568, 0.24, 0.14],
      [880, 0.6, 0.1],
      [1175, 0.72, 0.1],
      [1568, 0.84, 0.14],
    ],
  },
  // escalation
  1: {
    wave: 'square',
    gain: 0.2,
    notes: [
      [988, 0, 0.16],
      [740, 0.2, 0.16],
      [988, 0.4, 0.16],
    ],
  },
  // device, offline, no position, recording stalled
  2: {
    wave: 'triangle',
    gain: 0.2,
    notes: [
      [523, 0, 0.16],
      [392, 0.2, 0.22],
    ],
  },
  // geofence, overspeed
  4: { wave: 'triangle', gain: 0.15, notes: [[660, 0, 0.18]] },
  // battery
  6: { wave: 'sine', gain: 0.1, notes: [[330, 0, 0.25]] },
};

/** The pattern for a priority: the nearest less urgent one defined. */
function patternFor(kind: AlarmKind) {
  for (let p = ALARM_PRIORITY[kind]; p <= 6; p++) if (PATTERNS[p]) return PATTERNS[p]!;
  return PATTERNS[6]!;
}

/** Sounds the alarm kind's pattern. */
export function beep(kind: AlarmKind): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
    const now = ctx.currentTime;
    const { notes, wave, gain: level } = patternFor(kind);
    for (const [freq, at, length] of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = wave;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(level, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + at);
      osc.stop(now + at + length + 0.01);
    }
  } catch {
    // no audio output (a headless wall): the flash still shows
  }
}
