// JT/T 1078 packets → whole frames. A frame bigger than a packet's 950 bytes is cut into
// sub-packages (Table 19 marker: 1 first, 3 middle…, 2 last); an atomic one (0) is whole. A
// video frame's body is H.264 Annex B (start codes and NAL units) and is handed on as it came,
// never transcoded. A part out of order (a middle without its first, a first while another
// frame is open) ends the open frame as refused, as does a packet the stream decoder refused
// (`reset`): a decoder must not get a frame with a hole in it; the next I frame recovers the
// picture. Serials are not checked for gaps: over TCP none is lost, and a terminal numbers its
// audio and video packets in one sequence, so audio between two parts is no gap.
import { Jt808Error } from '../errors';
import { isVideo, MediaDataType, Subpackage, type MediaDataTypeValue, type MediaPacket } from './packet';

export interface MediaFrame {
  dataType: MediaDataTypeValue;
  payloadType: number;
  channel: number;
  /** ms, from the frame's first packet */
  timestamp: bigint;
  data: Buffer;
}

export type FrameAssemblyResult = { frame?: MediaFrame; refused?: Jt808Error };

interface OpenFrame {
  first: MediaPacket;
  parts: Buffer[];
  bytes: number;
  lastSerial: number;
}

export interface FrameAssemblerOptions {
  /** a frame growing past this many bytes is refused; default 2 MiB (an I frame of 1080p is a few hundred KiB) */
  maxFrameBytes?: number;
}

export class FrameAssembler {
  readonly #maxFrameBytes: number;
  /** open frames: one for video, one for audio (a terminal may send audio between a video frame's parts) */
  readonly #open = new Map<'video' | 'audio' | 'transparent', OpenFrame>();

  constructor(opts: FrameAssemblerOptions = {}) {
    this.#maxFrameBytes = opts.maxFrameBytes ?? 2 * 1024 * 1024;
  }

  /** A packet was refused: the frames open now have a hole, so they are dropped. */
  reset(): void {
    this.#open.clear();
  }

  add(p: MediaPacket): FrameAssemblyResult {
    const track = isVideo(p.dataType) ? 'video' : p.dataType === MediaDataType.audio ? 'audio' : 'transparent';
    const open = this.#open.get(track);
    if (p.subpackage === Subpackage.atomic || p.subpackage === Subpackage.first) {
      this.#open.delete(track);
      const refused = open ? new Jt808Error('bad_subpackage', `a JT/T 1078 frame on channel ${p.channel} ended without its last part (serial ${open.lastSerial})`) : undefined;
      if (p.subpackage === Subpackage.atomic) return { frame: frameOf(p, [p.body]), refused };
      this.#open.set(track, { first: p, parts: [p.body], bytes: p.body.length, lastSerial: p.serial });
      return { refused };
    }
    if (!open) return { refused: new Jt808Error('bad_subpackage', `a JT/T 1078 ${p.subpackage === Subpackage.last ? 'last' : 'middle'} part (serial ${p.serial}) without its first`) };
    open.parts.push(p.body);
    open.bytes += p.body.length;
    open.lastSerial = p.serial;
    if (open.bytes > this.#maxFrameBytes) {
      this.#open.delete(track);
      return { refused: new Jt808Error('too_long', `a JT/T 1078 frame grew past ${this.#maxFrameBytes} bytes`) };
    }
    if (p.subpackage === Subpackage.middle) return {};
    this.#open.delete(track);
    return { frame: frameOf(open.first, open.parts) };
  }
}

function frameOf(first: MediaPacket, parts: Buffer[]): MediaFrame {
  return { dataType: first.dataType, payloadType: first.payloadType, channel: first.channel, timestamp: first.timestamp, data: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
}

/** A terminal's side: one frame → its packets, cut into sub-packages of at most `maxBody` bytes (Table 19: 950). */
export function packetsOfFrame(frame: MediaFrame & { sim: string }, nextSerial: () => number, maxBody = 950): MediaPacket[] {
  const count = Math.max(1, Math.ceil(frame.data.length / maxBody));
  const video = isVideo(frame.dataType);
  return Array.from({ length: count }, (_, i) => ({
    marker: i === count - 1,
    payloadType: frame.payloadType,
    serial: nextSerial(),
    sim: frame.sim,
    channel: frame.channel,
    dataType: frame.dataType,
    subpackage: count === 1 ? Subpackage.atomic : i === 0 ? Subpackage.first : i === count - 1 ? Subpackage.last : Subpackage.middle,
    timestamp: frame.timestamp,
    ...(video ? { lastIFrameInterval: 0, lastFrameInterval: 0 } : {}),
    body: frame.data.subarray(i * maxBody, (i + 1) * maxBody),
  }));
}
