// One recording's HLS playlist in a <video> with hls.js (the token on every request), reporting
// the wall-clock time of the frame on screen from the segments' EXT-X-PROGRAM-DATE-TIME.
// A recording without segments, or one hls.js cannot play, is said in a sentence an operator
// understands; hls.js's own error names stay in data-error for whoever debugs it.
import { useEffect, useRef, useState } from 'react';
import Hls, { type ErrorData } from 'hls.js';

/** Why the video does not play, as the page says it. */
export type PlayerProblem = 'empty' | 'unreachable' | 'damaged' | 'cannotPlay' | 'noMse';

/** hls.js's fatal error → what the operator is told: the hub could not be reached, or the media is bad. */
function problemOf(data: ErrorData): PlayerProblem {
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) return 'unreachable';
  if (data.type === Hls.ErrorTypes.MEDIA_ERROR || data.details === Hls.ErrorDetails.LEVEL_EMPTY_ERROR || data.details === Hls.ErrorDetails.MANIFEST_PARSING_ERROR) return 'damaged';
  return 'cannotPlay';
}

export function Player({
  url,
  token,
  empty,
  fallbackStart,
  onTime,
  say,
}: {
  url: string;
  token: string;
  /** the recording has no segment: nothing to load */
  empty: boolean;
  fallbackStart: number;
  onTime: (ms: number, fromProgramDate: boolean) => void;
  say: (problem: PlayerProblem) => string;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<{ problem: PlayerProblem; detail?: string } | null>(empty ? { problem: 'empty', detail: 'no segments' } : null);
  const [audioCodec, setAudioCodec] = useState<string | null>(null);

  useEffect(() => {
    if (empty) return;
    const el = video.current!;
    setProblem(null);
    let hls: Hls | null = null;
    // the segments' EXT-X-PROGRAM-DATE-TIME; before hls.js knows it, the first segment's start
    const tick = () => {
      const d = hls?.playingDate;
      if (d) onTime(d.getTime(), true);
      else onTime(fallbackStart + el.currentTime * 1000, false);
    };
    el.addEventListener('timeupdate', tick);
    el.addEventListener('seeked', tick);
    if (Hls.isSupported()) {
      hls = new Hls({ xhrSetup: (xhr) => xhr.setRequestHeader('authorization', `Bearer ${token}`), enableWorker: true });
      hls.on(Hls.Events.ERROR, (_e, data) => {
        if (data.fatal) setProblem({ problem: problemOf(data), detail: `${data.type}: ${data.details}` });
      });
      hls.on(Hls.Events.BUFFER_CODECS, (_e, tracks) => setAudioCodec(tracks.audio?.codec ?? null));
      hls.on(Hls.Events.MANIFEST_PARSED, () => void el.play().catch(() => undefined));
      hls.loadSource(url);
      hls.attachMedia(el);
    } else {
      setProblem({ problem: 'noMse' }); // the code says it all: no Media Source Extensions
    }
    return () => {
      el.removeEventListener('timeupdate', tick);
      el.removeEventListener('seeked', tick);
      hls?.destroy();
    };
    // a new player only for another recording: the parent passes a new onTime each render,
    // which must not restart playback (fallbackStart belongs to the recording)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url, token, empty]);

  return (
    <div className="replay-player">
      {/* muted: browsers start only silent video by themselves; the controls unmute it */}
      <video ref={video} data-testid="replay-video" data-audio={audioCodec ?? ''} controls muted playsInline hidden={problem !== null} />
      {problem && (
        <p role="alert" className="replay-problem" data-testid="replay-problem" data-problem={problem.problem} data-error={problem.detail}>
          {say(problem.problem)}
        </p>
      )}
    </div>
  );
}
