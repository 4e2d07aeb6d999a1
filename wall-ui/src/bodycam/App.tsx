// The body-cam page: sign in as a unit, then one screen with the link state, the camera
// preview, a big "Go live" button and a hold-to-confirm SOS button. Positions go out as long
// as the page is open; the camera streams while live (by the wearer, an SOS, or the hub's
// stream.start on demand). A dispatch shows as an order card the wearer accepts or refuses;
// after an SOS the page shows what the centre did (sos.status).
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { bodycamMessages } from './messages';
import { credentialFromFragment, remember, rememberedCredential, type UnitCredential } from './credentials';
import { UnitLink, UnsupportedCommand, type LinkState } from './unit-link';
import { DispatchCard, type EvidenceState, type ShownOrder } from './DispatchCard';
import { grabStill, sendEvidence } from './evidence-capture';
import { SosButton, type SosStage, type SosStatus } from './SosButton';
import { CameraPublisher, type OutboundVideo, type PublishState, type VideoCodecChoice } from './camera-publisher';

const t = bodycamMessages();

type VideoState = 'off' | 'starting' | PublishState;

declare global {
  interface Window {
    /** for automation and support: the page's state and the outbound video's figures */
    hubBodycam?: {
      link: LinkState;
      video: VideoState;
      streamId?: string;
      /** false when the microphone was refused (video only) */
      audio: boolean;
      /** the dispatch on screen and its answer, if any */
      order?: { id: string; status: string };
      sos: SosStage;
      videoStats(): Promise<OutboundVideo & { layers: OutboundVideo[]; audioPackets: number }>;
    };
  }
}

/**
 * Simulcast (VP8 layers, see camera-publisher.ts) with `?simulcast=1`. Not the default: from a
 * 640×480 camera Chromium 156 sends two of the three layers and starts the full-size one seconds
 * after the half-size one, so every viewer (and the recording) starts small; and a body cam on a
 * metered link pays for the extra layers.
 */
const SIMULCAST_DEFAULT = false;
function simulcastFromQuery(): boolean {
  const v = new URLSearchParams(window.location.search).get('simulcast');
  return v === null ? SIMULCAST_DEFAULT : v === '1' || v === 'true';
}

function codecFromQuery(): VideoCodecChoice {
  const c = new URLSearchParams(window.location.search).get('codec')?.toLowerCase();
  return c === 'h264' || c === 'vp8' ? c : undefined;
}

export function App() {
  const initial = useMemo(() => {
    const fromLink = credentialFromFragment();
    if (fromLink) remember(fromLink); // a provisioning link is meant to stay on the device
    return fromLink ?? rememberedCredential();
  }, []);
  const [cred, setCred] = useState<UnitCredential | undefined>(initial);
  const [error, setError] = useState<string>();
  // a provisioning link opened while the page is already open
  useEffect(() => {
    const onHash = () => {
      const fromLink = credentialFromFragment();
      if (!fromLink) return;
      remember(fromLink);
      setError(undefined);
      setCred(fromLink);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (!cred) {
    return (
      <SignIn
        error={error}
        onSubmit={(c, keep) => {
          setError(undefined);
          remember(keep ? c : undefined);
          setCred(c);
        }}
      />
    );
  }
  return (
    <Station
      cred={cred}
      onRefused={() => {
        remember(undefined);
        setError(t.errors.refused);
        setCred(undefined);
      }}
      onSignOut={() => {
        remember(undefined);
        setCred(undefined);
      }}
    />
  );
}

function SignIn({ error, onSubmit }: { error?: string; onSubmit(c: UnitCredential, remember: boolean): void }) {
  const [unitId, setUnitId] = useState('');
  const [secret, setSecret] = useState('');
  const [keep, setKeep] = useState(true);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (unitId.trim() && secret) onSubmit({ unitId: unitId.trim(), secret }, keep);
  };
  return (
    <form className="signin" onSubmit={submit}>
      <h1>{t.signIn.heading}</h1>
      {error && (
        <p className="error" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
      <label>
        {t.signIn.unitId}
        <input name="unitId" autoComplete="username" autoCapitalize="none" value={unitId} onChange={(e) => setUnitId(e.target.value)} required />
      </label>
      <label>
        {t.signIn.secret}
        <input name="secret" type="password" autoComplete="current-password" value={secret} onChange={(e) => setSecret(e.target.value)} required />
      </label>
      <label className="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> {t.signIn.remember}
      </label>
      <button type="submit" className="big">
        {t.signIn.submit}
      </button>
    </form>
  );
}

function Station({ cred, onRefused, onSignOut }: { cred: UnitCredential; onRefused(): void; onSignOut(): void }) {
  const [link, setLink] = useState<LinkState>('connecting');
  const [video, setVideo] = useState<VideoState>('off');
  const [streamId, setStreamId] = useState<string>();
  const [gps, setGps] = useState<{ accuracy?: number; error?: boolean }>({});
  const [sos, setSos] = useState<SosStage>('idle');
  const [sosStatus, setSosStatus] = useState<SosStatus>();
  const [order, setOrder] = useState<ShownOrder>();
  const [evidence, setEvidence] = useState<EvidenceState>({ stage: 'idle' });
  const [here, setHere] = useState<{ lat: number; lon: number }>();
  const [cameraError, setCameraError] = useState(false);
  const [micRefused, setMicRefused] = useState(false);
  const [videoError, setVideoError] = useState<string>();
  const linkRef = useRef<UnitLink>(undefined);
  const publisherRef = useRef<CameraPublisher>(undefined);
  const lastFix = useRef<GeolocationPosition>(undefined);
  const startedByHub = useRef(false);
  const preview = useRef<HTMLVideoElement>(null);
  const refused = useRef(onRefused);
  refused.current = onRefused;

  const stopVideo = useCallback(() => {
    const p = publisherRef.current;
    publisherRef.current = undefined;
    p?.close();
    p?.media.getTracks().forEach((tr) => tr.stop());
    if (preview.current) preview.current.srcObject = null;
    setVideo('off');
  }, []);

  const goLive = useCallback(
    async (byHub = false) => {
      if (publisherRef.current) return 'already publishing';
      startedByHub.current = byHub;
      if (!window.RTCPeerConnection || !navigator.mediaDevices?.getUserMedia) {
        setCameraError(true);
        throw new Error(t.errors.unsupported);
      }
      setVideo('starting');
      setCameraError(false);
      let media: MediaStream;
      const camera = { facingMode: 'environment' };
      try {
        media = await navigator.mediaDevices.getUserMedia({ video: camera, audio: { echoCancellation: true, noiseSuppression: true } });
        setMicRefused(false);
      } catch {
        // no microphone, or refused: the picture is what matters most, so it goes without sound (and says so)
        try {
          media = await navigator.mediaDevices.getUserMedia({ video: camera, audio: false });
          setMicRefused(true);
        } catch {
          setCameraError(true);
          setVideo('off');
          throw new Error(t.errors.camera);
        }
      }
      if (preview.current) preview.current.srcObject = media;
      publisherRef.current = new CameraPublisher(media, {
        unitId: cred.unitId,
        secret: cred.secret,
        codec: codecFromQuery(),
        simulcast: simulcastFromQuery(),
        onState: (state, detail) => {
          setVideo(state);
          // the hub's own sentence for a refusal; a transient failure only shows as "reconnecting"
          setVideoError(state === 'refused' ? ((detail?.code && t.videoRefusedBecause[detail.code]) ?? detail?.message) : undefined);
          if (detail?.streamId) setStreamId(detail.streamId);
        },
      });
      return 'publishing';
    },
    [cred],
  );

  // the unit's link: MQTT over WebSocket, commands from the hub
  useEffect(() => {
    const l = new UnitLink({
      unitId: cred.unitId,
      secret: cred.secret,
      onState: (s) => {
        setLink(s);
        if (s === 'refused') refused.current();
      },
      onCommand: async (cmd) => {
        if (cmd.type === 'stream.start') return goLive(true);
        if (cmd.type === 'stream.stop') {
          // the wearer's own stream is the wearer's to stop; the hub stops only what it started
          if (!startedByHub.current) return 'kept: started by the wearer';
          stopVideo();
          return 'stopped';
        }
        if (cmd.type === 'dispatch') {
          // the newest order replaces an older one on screen; the ack says only that it arrived
          setOrder((o) => (o?.order.id === cmd.id ? o : { order: cmd, status: 'waiting' }));
          return 'order shown to the wearer';
        }
        if (cmd.type === 'sos.status') {
          setSosStatus(cmd);
          return 'shown';
        }
        throw new UnsupportedCommand(`this page does not handle ${cmd.type} commands`);
      },
    });
    linkRef.current = l;
    return () => {
      linkRef.current = undefined;
      l.close();
    };
  }, [cred, goLive, stopVideo]);

  // positions: every fix, and a fresh one asked for when none came for 15 s
  useEffect(() => {
    if (!navigator.geolocation) {
      setGps({ error: true });
      return;
    }
    let lastSent = 0;
    const onFix = (pos: GeolocationPosition) => {
      lastFix.current = pos;
      lastSent = Date.now();
      setGps({ accuracy: pos.coords.accuracy });
      setHere({ lat: pos.coords.latitude, lon: pos.coords.longitude });
      linkRef.current?.sendPosition(pos).catch(() => {}); // mqtt.js resends QoS 1 after a reconnect
    };
    const onError = () => setGps((g) => ({ ...g, error: true }));
    const opts: PositionOptions = { enableHighAccuracy: true, maximumAge: 5000, timeout: 20_000 };
    const watch = navigator.geolocation.watchPosition(onFix, onError, opts);
    const timer = setInterval(() => Date.now() - lastSent > 15_000 && navigator.geolocation.getCurrentPosition(onFix, onError, { ...opts, maximumAge: 0 }), 5000);
    return () => {
      navigator.geolocation.clearWatch(watch);
      clearInterval(timer);
    };
  }, []);

  useEffect(() => () => stopVideo(), [stopVideo]);

  // a new order starts without a photo
  const orderId = order?.order.id;
  useEffect(() => setEvidence({ stage: 'idle' }), [orderId]);

  useEffect(() => {
    window.hubBodycam = {
      link,
      video,
      streamId,
      audio: !micRefused,
      order: order && { id: order.order.id, status: order.status },
      sos,
      videoStats: async () => (publisherRef.current ? publisherRef.current.videoStats() : { framesEncoded: 0, width: 0, height: 0, layers: [], audioPackets: 0 }),
    };
  }, [link, video, streamId, micRefused, order, sos]);

  const raiseSos = async () => {
    void goLive().catch(() => {}); // an SOS also puts the camera on the wall
    await linkRef.current!.sendSos(lastFix.current);
  };

  const answer = (accepted: boolean, reason?: string) => {
    if (!order) return;
    const id = order.order.id;
    const done = accepted ? 'accepted' : 'refused';
    // shown as answered at once; "not confirmed" stays until the hub's PUBACK (mqtt.js resends after a reconnect)
    setOrder((o) => (o?.order.id === id ? { ...o, status: done, unsent: true } : o));
    linkRef.current?.answerDispatch(id, accepted, reason).then(
      () => setOrder((o) => (o?.order.id === id ? { ...o, unsent: false } : o)),
      () => undefined,
    );
  };

  /** A still of the camera for the current order's incident: the camera starts first if it is off. */
  const captureEvidence = async () => {
    const incidentId = order?.order.incidentId;
    if (!incidentId || !preview.current) return;
    setEvidence({ stage: 'capturing' });
    try {
      if (!publisherRef.current) await goLive();
      const photo = await sendEvidence(cred, incidentId, await grabStill(preview.current));
      setEvidence({ stage: 'sent', sha256: photo.sha256 });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      setEvidence({ stage: 'failed', reason: (e.code && t.evidence.refusedBecause[e.code]) || e.message || String(err) });
    }
  };

  const live = video !== 'off' && video !== 'stopped';
  return (
    <main className="station" data-link={link} data-video={video}>
      <header>
        <span className="unit">{t.unitLabel(cred.unitId)}</span>
        <span className={`pill link-${link}`} data-testid="link-state">
          {t.link[link]}
        </span>
        <span className={`pill video-${video}`} data-testid="video-state">
          {t.video[video]}
        </span>
      </header>
      <video ref={preview} className="preview" muted playsInline autoPlay />
      <p className="gps" data-testid="gps-state">
        {gps.error ? t.gps.off : gps.accuracy !== undefined ? t.gps.fix(gps.accuracy) : t.gps.waiting}
      </p>
      {cameraError && (
        <p className="error" role="alert">
          {t.errors.camera}
        </p>
      )}
      {micRefused && live && (
        <p className="notice" role="status" data-testid="mic-refused">
          {t.errors.microphone}
        </p>
      )}
      {videoError && (
        <p className="error" role="alert" data-testid="video-error">
          {t.errors.videoRefused(videoError)}
        </p>
      )}
      {gps.error && <p className="error">{t.errors.geolocation}</p>}
      {order && <DispatchCard shown={order} here={here} evidence={evidence} onAnswer={answer} onDismiss={() => setOrder(undefined)} onCapture={() => void captureEvidence()} />}
      <div className="actions">
        <button type="button" className="big live" data-testid="go-live" onClick={() => (live ? stopVideo() : void goLive().catch(() => {}))}>
          {live ? t.stop : t.goLive}
        </button>
        <SosButton disabled={link === 'refused'} status={sosStatus} send={raiseSos} onStage={setSos} />
      </div>
      <button type="button" className="signout" onClick={onSignOut}>
        {t.signOut}
      </button>
    </main>
  );
}
