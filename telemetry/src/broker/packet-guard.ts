// A bound on MQTT packet size, checked before any body is buffered.
//
// aedes hands each connection's bytes to mqtt-packet's parser, which reads a packet's
// remaining length (MQTT-2.2.3) and then buffers that many bytes before it parses
// anything: a client that declares a 250 MB packet gets 250 MB of the hub's memory, and
// it need not even have sent CONNECT. This guard sits between the socket (or WebSocket
// stream) and aedes, follows the packet boundaries from each fixed header, and destroys
// the connection as soon as a header declares more than the limit, without passing on
// a byte of that packet.
import { Duplex } from 'node:stream';

/** Largest MQTT packet a unit may send when none is configured: see HubConfig `mqtt.maxPacketBytes`. */
export const DEFAULT_MAX_PACKET_BYTES = 8192;

export type PacketVerdict = { ok: true } | { ok: false; declaredBytes: number; reason: 'too_large' | 'malformed_length' };

/**
 * Follows packet boundaries across chunks: fixed header byte, remaining length as a
 * variable byte integer of at most 4 bytes (MQTT-2.2.3), then that many body bytes.
 */
export class PacketBoundaryScanner {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxBytes: number) {}

  /** Checks the next chunk of the stream; the first verdict that is not ok is final. */
  scan(chunk: Buffer): PacketVerdict {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // remaining length: 7 bits a byte, least significant first, top bit = more follows
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      // 1 type byte + the length bytes + the body
      const total = 1 + this.lengthBytes + this.length;
      if (total > this.maxBytes) return { ok: false, declaredBytes: total, reason: 'too_large' };
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return { ok: false, declaredBytes: total, reason: 'malformed_length' }; // MQTT-2.2.3: at most 4 bytes
        continue;
      }
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 'type' : 'body';
    }
    return { ok: true };
  }
}

export interface PacketGuardOptions {
  maxBytes: number;
  /** called once, before the connection is destroyed */
  onRefused: (verdict: Exclude<PacketVerdict, { ok: true }>) => void;
}

/**
 * A duplex in front of `inner` that passes writes straight through and reads through
 * the scanner. aedes sees an ordinary stream; `remoteAddress` is the socket's.
 */
export class PacketGuard extends Duplex {
  private readonly scanner: PacketBoundaryScanner;
  private refused = false;

  constructor(
    private readonly inner: Duplex,
    private readonly opts: PacketGuardOptions,
  ) {
    super({ allowHalfOpen: false });
    this.scanner = new PacketBoundaryScanner(opts.maxBytes);
    inner.on('data', (chunk: Buffer) => {
      if (this.refused) return;
      const verdict = this.scanner.scan(chunk);
      if (!verdict.ok) {
        this.refused = true;
        inner.pause();
        opts.onRefused(verdict);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.once('end', () => this.push(null));
    inner.once('error', (err) => this.destroy(err));
    inner.once('close', () => this.destroy());
  }

  /** the peer's address, as net.Socket has it (for logs and the login throttle) */
  get remoteAddress(): string | undefined {
    return (this.inner as { remoteAddress?: string }).remoteAddress;
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.inner.write(chunk, encoding, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
    // keeps corked PUBACKs in one write (deferred-puback.ts)
    this.inner.write(Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.inner.end(cb);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.inner.destroy();
    cb(err);
  }
}
