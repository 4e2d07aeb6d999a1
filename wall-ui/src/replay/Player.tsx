// One recording's HLS playlist in a <video> with hls.js (the token on every request), reporting
// the wall-clock time of the frame on screen from the segments' EXT-X-PROGRAM-DATE-TIME.
import { useEffect, useRef, useState } from 'react';
import Hls from 'hls.js';

export function Player({
  url,
  token,
  fallbackStart,
  onTime,
  errorLabel,
  noMseLabel,
}: {
  url: string;
  token: string;
  fallbackStart: number;
  onTime: (ms: number, fromProgramDate: boolean) => void;
  errorLabel: string;
  noMseLabel: string;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = video.current!;
    setError(null);
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
        if (data.fatal) setError(`${data.type}: ${data.details}`);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => void el.play().catch(() => undefined));
      hls.loadSource(url);
      hls.attachMedia(el);
    } else {
      setError(noMseLabel);
    }
    return () => {
      el.removeEventListener('timeupdate', tick);
      el.removeEventListener('seeked', tick);
      hls?.destroy();
    };
    // a new player only for another recording: the parent passes a new onTime each render,
    // which must not restart playback (fallbackStart and the label belong to the recording)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url, token]);

  return (
    <div>
      <video ref={video} data-testid="replay-video" controls muted playsInline style={{ width: 640, maxWidth: '100%', background: '#000' }} />
      {error && (
        <p role="alert" style={{ color: '#b00' }}>
          {errorLabel}: {error}
        </p>
      )}
    </div>
  );
}
