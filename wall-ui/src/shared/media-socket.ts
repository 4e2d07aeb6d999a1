// The browser's end of the hub's media signalling (socket.io namespace /media, shapes in
// config/src/media.ts): one socket per player or publisher, so one failing stream never
// takes the others down. socket.io's own reconnection is off: the caller owns recovery,
// because a new socket means new sessions (the hub closes a socket's sessions with it).
import { io, type Socket } from 'socket.io-client';
import { MEDIA_NAMESPACE, type IceServer, type MediaAnswer, type MediaClientToServer, type MediaServerToClient } from '@hub/config';

export type MediaSocket = Socket<MediaServerToClient, MediaClientToServer>;

/** A refusal or a failure with a stable code, as the hub sends them. */
export class MediaRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** a refusal that trying again with the same credential will not change */
  get fatal(): boolean {
    return ['HUB_ERR_AUTH_REQUIRED', 'HUB_ERR_AUTH_INVALID', 'HUB_ERR_BAD_REQUEST', 'HUB_ERR_SDP_OFFER'].includes(this.code);
  }
}

/** The hub's origin: the page's own unless given. */
export function hubOrigin(hubUrl?: string): string {
  return (hubUrl ?? window.location.origin).replace(/\/+$/, '');
}

/** Connects and waits for the hub's `hello` (ICE servers). Rejects with the refusal's code. */
export function connectMedia(token: string, hubUrl?: string, timeoutMs = 10_000): Promise<{ socket: MediaSocket; iceServers: IceServer[] }> {
  const socket: MediaSocket = io(hubOrigin(hubUrl) + MEDIA_NAMESPACE, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new MediaRequestError('HUB_ERR_MEDIA_TIMEOUT', 'the hub did not answer the media connection')), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    };
    socket.once('connect_error', (err: Error & { data?: { code?: string; message?: string } }) =>
      fail(new MediaRequestError(err.data?.code ?? 'HUB_ERR_MEDIA_UNREACHABLE', err.data?.message ?? `the hub cannot be reached (${err.message})`)),
    );
    socket.once('hello', (hello) => {
      clearTimeout(timer);
      resolve({ socket, iceServers: hello.iceServers });
    });
  });
}

/**
 * Sets the local offer and waits until ICE gathering completes (the SFU does vanilla ICE:
 * the offer must carry the candidates), at most `maxMs` — a TURN server that does not
 * answer must not hold the stream up; the host candidates gathered by then still go.
 */
export async function offerWithCandidates(pc: RTCPeerConnection, maxMs = 3000): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxMs);
      function done() {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
      function check() {
        if (pc.iceGatheringState === 'complete') done();
      }
      pc.addEventListener('icegatheringstatechange', check);
    });
  }
  return pc.localDescription!.sdp;
}

/** Sends a request and resolves with the session, or rejects with the refusal. */
export async function request(socket: MediaSocket, event: 'publish' | 'view', msg: Parameters<MediaClientToServer['view']>[0] | Parameters<MediaClientToServer['publish']>[0], timeoutMs = 15_000) {
  let res: MediaAnswer;
  try {
    res = (await socket.timeout(timeoutMs).emitWithAck(event as 'view', msg as never)) as MediaAnswer;
  } catch {
    throw new MediaRequestError('HUB_ERR_MEDIA_TIMEOUT', `the hub did not answer the ${event} request`);
  }
  if (!res.ok) throw new MediaRequestError(res.code, res.message);
  return res;
}

/** 0.5 s, 1 s, 2 s … up to `maxMs`, with ±20 % jitter so that a wall's tiles do not retry in step. */
export function backoffMs(attempt: number, maxMs = 10_000): number {
  const base = Math.min(maxMs, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
