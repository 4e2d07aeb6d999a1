// A tile's camera: ask the hub to start the unit's stream (POST /api/streams/{unitId}/start,
// with ?channel=N for a terminal's other cameras), then play it with the shared player, which
// recovers by itself. The tile only shows state.
//
// Layers: a tile smaller than the stream asks for no more than it shows: its video element's
// height in device pixels goes to the player (ResizeObserver), and of a simulcast stream the
// SFU forwards the smallest layer at least that tall.
import { useEffect, useRef, useState } from 'react';
import { cameraOfKey } from '@hub/config';
import { openStream, type StreamPlayer } from '../../shared/stream-player';
import { HubApiError } from '../../shared/hub-api';
import { api, currentSession } from '../app/session';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';

export type TileState = 'idle' | 'starting' | 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface TileFigures {
  bitrateKbps: number;
  delayMs: number | null;
  /** jitter buffer + half the round trip to the hub: an estimate (see PlayerStats) */
  estimatedDelayMs: number | null;
  /** true once the stream's audio arrives */
  hasAudio: boolean;
  fps: number;
  framesDecoded: number;
  width: number;
  height: number;
}

/** The tile's picture height in device pixels, for the layer it asks for. */
function shownHeight(el: HTMLVideoElement): number | undefined {
  return Math.round(el.clientHeight * (window.devicePixelRatio || 1)) || undefined;
}

/** How long a tile waits before asking again for a camera the hub could not start. */
const START_RETRY_MS = 5000;

/** The start of a tile's camera (a unit id, or unit@channel). */
function startPath(camera: string): string {
  const { unitId, channel } = cameraOfKey(camera);
  return `/api/streams/${encodeURIComponent(unitId)}/start${channel === 1 ? '' : `?channel=${channel}`}`;
}

/** `unitId`: the tile's camera key (a unit id, or unit@channel). */
export function useUnitStream(unitId: string | null, video: React.RefObject<HTMLVideoElement | null>) {
  const [state, setState] = useState<TileState>('idle');
  // why the tile is not live, as the hub or the player said it; shown in the wall's language
  const [problem, setProblem] = useState<unknown>(null);
  const t = useT();
  const [figures, setFigures] = useState<TileFigures | null>(null);
  const player = useRef<StreamPlayer | null>(null);

  useEffect(() => {
    setFigures(null);
    setProblem(null);
    if (!unitId || !video.current) {
      setState('idle');
      return;
    }
    const el = video.current;
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let nudge: ReturnType<typeof setInterval> | undefined;

    // The player waits for the stream to come back; the unit's camera only comes back when
    // the hub asks it again (its publisher may have died, or the hub stopped an idle stream).
    // While the tile is not live, ask again now and then (start is idempotent).
    const askAgain = async () => {
      try {
        await api('POST', startPath(unitId));
      } catch {
        // the unit is offline or the start timed out: the tile keeps saying so; next round
      }
    };
    const watch = (s: string, fatal: boolean) => {
      if (s === 'live' || fatal) {
        clearInterval(nudge);
        nudge = undefined;
      } else if (!nudge && s !== 'connecting') {
        nudge = setInterval(() => void askAgain(), START_RETRY_MS);
      }
    };

    const start = async () => {
      if (cancelled) return;
      setState('starting');
      try {
        const res = await api<{ streamId?: string; unitId?: string; state: string }>('POST', startPath(unitId));
        if (cancelled) return;
        const streamId = res.streamId ?? res.unitId ?? unitId;
        const token = currentSession()?.token ?? '';
        player.current = openStream(el, streamId, {
          token,
          maxHeight: shownHeight(el),
          onState: (s, d) => {
            if (cancelled) return;
            setState(s);
            setProblem(d ?? null);
            watch(s, d?.fatal === true);
          },
        });
      } catch (err) {
        if (cancelled) return;
        setState('offline');
        setProblem(err);
        if (!(err instanceof HubApiError && err.status === 401)) retry = setTimeout(() => void start(), START_RETRY_MS);
      }
    };
    void start();

    const poll = setInterval(async () => {
      const p = player.current;
      if (!p) return;
      try {
        const s = await p.stats();
        if (!cancelled)
          setFigures({
            bitrateKbps: s.bitrateKbps,
            delayMs: s.delayMs ?? null,
            estimatedDelayMs: s.estimatedDelayMs ?? null,
            hasAudio: (s.audio?.totalSamplesReceived ?? 0) > 0,
            fps: s.fps,
            framesDecoded: s.framesDecoded,
            width: s.width,
            height: s.height,
          });
      } catch {
        // a closing peer connection: the next round or the player's state says it
      }
    }, 1000);

    // an enlarged or resized tile asks for the layer that fits (no reconnection)
    const resized = new ResizeObserver(() => player.current?.setMaxHeight(shownHeight(el)));
    resized.observe(el);

    return () => {
      cancelled = true;
      resized.disconnect();
      clearTimeout(retry);
      clearInterval(nudge);
      clearInterval(poll);
      player.current?.close();
      player.current = null;
    };
  }, [unitId, video]);

  return { state, detail: problem == null ? null : errorText(t, problem), figures };
}
