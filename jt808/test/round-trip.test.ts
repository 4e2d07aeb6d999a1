import { describe, expect, it } from 'vitest';
import { decodeBody, decodeFrame, encodeFrame, encodeMessage, FrameStreamDecoder, Jt808Error, MessageId, type KnownMessageId } from '@hub/jt808';
import { bytes, GO_JT808, TRACCAR, XTREAM } from './data/captures';

const { location: _badChecksum, ...GOOD_TRACCAR } = TRACCAR;
const CAPTURES = { ...GOOD_TRACCAR, ...GO_JT808, ...XTREAM };

// frames the codec builds itself, for the kinds no capture above carries
const BUILT = {
  terminalResponse: encodeMessage({ messageId: MessageId.TerminalResponse, phone: '013511221122', serial: 0x7e7d }, { answeredSerial: 0x7d7e, answeredMessageId: 0x8300, result: 0 }),
  logout: encodeMessage({ messageId: MessageId.Logout, phone: '013511221122', serial: 2 }, {}),
  av: encodeMessage(
    { messageId: MessageId.LiveVideoRequest, phone: '013511221122', serial: 3, protocolVersion: 1 },
    { serverAddress: 'media.hub.local', tcpPort: 7611, udpPort: 7612, channel: 1, dataType: 0, streamType: 1 },
  ),
  avControl: encodeMessage({ messageId: MessageId.LiveVideoControl, phone: '013511221122', serial: 4 }, { channel: 1, command: 1, closeType: 0, switchTo: 0 }),
};

describe('round trip: encode(decode(x)) = x', () => {
  it.each(Object.entries(CAPTURES))('%s', (_name, hex) => {
    const frame = bytes(hex);
    const message = decodeFrame(frame);
    expect(encodeFrame(message)).toEqual(frame);
    const { messageId, body } = decodeBody(message);
    expect(encodeMessage({ ...message.header, messageId: messageId as KnownMessageId }, body as never)).toEqual(frame);
  });

  it.each(Object.entries(BUILT))('%s (built here)', (_name, frame) => {
    const message = decodeFrame(frame);
    expect(encodeMessage({ ...message.header, messageId: message.header.messageId as KnownMessageId }, decodeBody(message).body as never)).toEqual(frame);
  });
});

/** A small deterministic generator (mulberry32): a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decoding never throws anything but the codec's typed refusal. */
function decodeAll(frame: Buffer): void {
  try {
    decodeBody(decodeFrame(frame));
  } catch (err) {
    if (!(err instanceof Jt808Error)) throw err;
  }
}

describe('fuzz: random bytes and mutated frames', () => {
  const frames = [...Object.values(CAPTURES).map(bytes), ...Object.values(BUILT)];

  it('random bytes, fed as a stream in random chunks, only ever come out as frames or typed refusals', () => {
    const next = random(808);
    const decoder = new FrameStreamDecoder({ maxFrameBytes: 300 });
    for (let round = 0; round < 2000; round++) {
      const chunk = Buffer.from(Array.from({ length: Math.floor(next() * 64) }, () => (next() < 0.1 ? 0x7e : next() < 0.1 ? 0x7d : Math.floor(next() * 256))));
      for (const r of decoder.push(chunk)) {
        if (r.ok) decodeAll(Buffer.from(encodeFrame(r.message)));
        else expect(r.error).toBeInstanceOf(Jt808Error);
      }
      expect(decoder.pendingBytes).toBeLessThanOrEqual(300);
    }
  });

  it('good frames with bytes flipped, cut, inserted or with a valid check code recomputed never throw anything else', () => {
    const next = random(1078);
    for (let round = 0; round < 5000; round++) {
      const frame = Buffer.from(frames[Math.floor(next() * frames.length)]!);
      const content = frame.subarray(1, -1);
      const kind = Math.floor(next() * 4);
      let mutated: Buffer;
      if (kind === 0) {
        content[Math.floor(next() * content.length)] = Math.floor(next() * 256);
        mutated = frame;
      } else if (kind === 1) mutated = frame.subarray(0, Math.floor(next() * frame.length));
      else if (kind === 2) {
        const at = Math.floor(next() * frame.length);
        mutated = Buffer.concat([frame.subarray(0, at), Buffer.of(Math.floor(next() * 256)), frame.subarray(at)]);
      } else {
        // a body byte changed and the frame rebuilt with a good check code and length: the body decoders see it
        try {
          const m = decodeFrame(frame);
          if (m.body.length > 0) m.body[Math.floor(next() * m.body.length)] = Math.floor(next() * 256);
          mutated = encodeFrame({ ...m, body: m.body.subarray(0, Math.floor(next() * (m.body.length + 1))) });
        } catch {
          continue;
        }
      }
      decodeAll(mutated);
      const results = new FrameStreamDecoder().push(Buffer.concat([mutated, Buffer.of(0x7e), frames[0]!]));
      expect(results.at(-1)).toMatchObject({ ok: true });
    }
  });
});
