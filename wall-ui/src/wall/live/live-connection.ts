// The socket controller: one socket.io connection to the hub's live feed (path /socket.io,
// handshake auth {token}). It reconnects by itself; a refused token stops it (log in again).
import { io, type Socket } from 'socket.io-client';
import type { BBox, LiveBatch, LiveClientToServer, LiveServerToClient } from '@hub/config';
import type { ConnectionState, Forwarded } from './types';

export interface LiveConnectionOptions {
  token: string;
  /** default the page's origin */
  hubUrl?: string;
  /** `connected` is true on each (re)connect, so the owner can reload what it missed */
  onState(state: ConnectionState, connected: boolean): void;
  onBatch(batch: LiveBatch): void;
  onEvent(forwarded: Forwarded): void;
}

export class LiveConnection {
  private readonly socket: Socket<LiveServerToClient, LiveClientToServer>;
  private closed = false;

  constructor(private readonly opts: LiveConnectionOptions) {
    const url = opts.hubUrl ?? location.origin;
    this.socket = io(url, {
      path: '/socket.io',
      auth: { token: opts.token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    const s = this.socket;
    s.on('connect', () => opts.onState('live', true));
    s.on('disconnect', (reason) => {
      if (this.closed) return;
      opts.onState('reconnecting', false);
      // the server cut us (session ended, hub restarting): socket.io does not retry that by itself
      if (reason === 'io server disconnect') setTimeout(() => !this.closed && s.connect(), 1000);
    });
    s.on('connect_error', (err) => {
      if (this.closed) return;
      if (/HUB_ERR_AUTH|HUB_ERR_SESSION|unauthori/i.test(err.message)) {
        // a refused token is not retried: the operator must log in again
        opts.onState('unauthorized', false);
        return;
      }
      opts.onState('reconnecting', false);
      // a middleware refusal leaves the socket inactive; transport errors retry by themselves
      if (!s.active) setTimeout(() => !this.closed && s.connect(), 2000);
    });
    s.on('batch', (b) => opts.onBatch(b));
    s.on('incident', (payload) => opts.onEvent({ event: 'incident', payload }));
    s.on('dispatch', (payload) => opts.onEvent({ event: 'dispatch', payload }));
    s.on('linkage', (payload) => opts.onEvent({ event: 'linkage', payload }));
    s.on('offer', (payload) => opts.onEvent({ event: 'offer', payload }));
  }

  subscribe(bbox: BBox | null): void {
    if (this.socket.connected) this.socket.emit('subscribe', { bbox });
  }

  /** Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.removeAllListeners();
    this.socket.close();
  }
}
