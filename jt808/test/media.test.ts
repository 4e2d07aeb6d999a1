import { describe, expect, it } from 'vitest';
import {
  alawOf,
  alawTone,
  g711LawOf,
  g711Samples,
  AnnexBReader,
  encodeMediaPacket,
  FrameAssembler,
  H264Packetizer,
  MediaDataType,
  nalTypes,
  MediaStreamDecoder,
  packetsOfFrame,
  readMediaPacket,
  splitAnnexB,
  Subpackage,
  type MediaPacket,
  type MediaPacketResult,
} from '@hub/jt808';
import { bytes, SMALLCHI_1078 } from './data/captures';

const pFrame = bytes(SMALLCHI_1078.pFrame);
const audio = bytes(SMALLCHI_1078.audio);
const pFrame2 = bytes(SMALLCHI_1078.pFrame2);
const kinds = (results: MediaPacketResult[]) => results.map((r) => (r.ok ? `serial ${r.packet.serial.toString(16)}` : r.error.reason));

describe('JT/T 1078 packet (Table 19)', () => {
  it('reads a video packet captured from a terminal: header fields, intervals, the H.264 body', () => {
    const read = readMediaPacket(pFrame)!;
    expect(read.length).toBe(pFrame.length);
    const p = read.packet;
    expect(p).toMatchObject({ marker: true, payloadType: 98, serial: 0x1088, sim: '011234567810', channel: 1, dataType: MediaDataType.pFrame, subpackage: Subpackage.atomic });
    expect(p.timestamp).toBe(1562085870204n);
    expect([p.lastIFrameInterval, p.lastFrameInterval]).toEqual([0x0280, 0x0028]);
    expect(p.body.length).toBe(0x2e);
    expect(p.body.subarray(0, 5).toString('hex')).toBe('0000000161');
  });

  it('reads an audio packet, which has no frame intervals (26-byte header)', () => {
    const p = readMediaPacket(audio)!.packet;
    expect(p).toMatchObject({ dataType: MediaDataType.audio, payloadType: 8, serial: 0x10ba });
    expect('lastIFrameInterval' in p).toBe(false);
    expect(p.timestamp).toBe(1562085871501n);
    expect(p.body.length).toBe(0x78);
  });

  it('encodes the captured packets back to the same bytes', () => {
    for (const raw of [pFrame, audio, pFrame2]) expect(encodeMediaPacket(readMediaPacket(raw)!.packet).toString('hex')).toBe(raw.toString('hex'));
  });

  it('transparent data (type 4) has neither timestamp nor intervals: 18-byte header', () => {
    const raw = encodeMediaPacket({
      marker: false,
      payloadType: 0,
      serial: 1,
      sim: '13800138000',
      channel: 2,
      dataType: MediaDataType.transparent,
      subpackage: 0,
      timestamp: 0n,
      body: Buffer.from('abc'),
    });
    expect(raw.length).toBe(18 + 3);
    expect(readMediaPacket(raw)!.packet).toMatchObject({ sim: '013800138000', channel: 2, body: Buffer.from('abc') });
  });

  it('waits for a packet not yet whole', () => {
    expect(readMediaPacket(pFrame.subarray(0, 10))).toBeUndefined();
    expect(readMediaPacket(pFrame.subarray(0, pFrame.length - 1))).toBeUndefined();
  });
});

describe('JT/T 1078 stream decoder', () => {
  const setByte = (raw: Buffer, at: number, value: number) => Buffer.concat([raw.subarray(0, at), Buffer.of(value), raw.subarray(at + 1)]);

  it('skips garbage between packets up to the next frame header, refusing each run once; the packets go on', () => {
    const garbage = Buffer.from('7e0200ffee00112233', 'hex');
    const results = new MediaStreamDecoder().push(Buffer.concat([garbage, pFrame, garbage, garbage, audio, pFrame2]));
    expect(kinds(results)).toEqual(['bad_sync', 'serial 1088', 'bad_sync', 'serial 10ba', 'serial 10bb']);
    expect(!results[0]!.ok && results[0]!.error.code).toBe('HUB_ERR_JT808_BAD_SYNC');
  });

  it.each([
    ['bad_field', 'RTP version 1', setByte(pFrame, 4, 0x41)],
    ['bad_field', 'data type 5', setByte(pFrame, 15, 0x50)],
    ['bad_field', 'sub-package marker 4', setByte(pFrame, 15, 0x14)],
    ['bad_field', 'a SIM that is not BCD', setByte(pFrame, 9, 0xab)],
    ['too_long', 'a body length of 951', Buffer.concat([pFrame.subarray(0, 28), Buffer.of(0x03, 0xb7), pFrame.subarray(30)])],
  ])('a header refused as %s (%s) is skipped and the next packet decodes', (reason, _what, bad) => {
    const results = new MediaStreamDecoder().push(Buffer.concat([pFrame2, bad, audio]));
    // the refused header's bytes are then one run of garbage, refused with it: one refusal in all
    expect(kinds(results)).toEqual(['serial 10bb', reason, 'serial 10ba']);
  });

  it('a frame header inside a body does not cut the packet: the body length rules', () => {
    const body = Buffer.concat([Buffer.from('00000001', 'hex'), Buffer.from('30316364', 'hex'), Buffer.alloc(20, 7)]);
    const raw = encodeMediaPacket({ ...readMediaPacket(pFrame)!.packet, body });
    expect(kinds(new MediaStreamDecoder().push(Buffer.concat([raw, pFrame2])))).toEqual(['serial 1088', 'serial 10bb']);
  });

  it('keeps a partial packet across chunks, one byte at a time', () => {
    const decoder = new MediaStreamDecoder();
    const results = [...Buffer.concat([pFrame, audio, pFrame2])].flatMap((b) => decoder.push(Buffer.of(b)));
    expect(kinds(results)).toEqual(['serial 1088', 'serial 10ba', 'serial 10bb']);
    expect(decoder.pendingBytes).toBe(0);
  });
});

describe('JT/T 1078 frame assembler', () => {
  const frameData = Buffer.concat([
    Buffer.from('0000000167', 'hex'),
    Buffer.alloc(30, 1),
    Buffer.from('0000000168', 'hex'),
    Buffer.alloc(4, 2),
    Buffer.from('0000000165', 'hex'),
    Buffer.alloc(2500, 3),
  ]);
  let serial = 0;
  const parts = () => packetsOfFrame({ sim: '13800138000', channel: 1, dataType: MediaDataType.iFrame, payloadType: 98, timestamp: 40n, data: frameData }, () => serial++);

  it('sub-packages of at most 950 bytes (first, middle, last) are joined into the frame as sent', () => {
    const packets = parts();
    expect(packets.map((p) => p.subpackage)).toEqual([Subpackage.first, Subpackage.middle, Subpackage.last]);
    expect(packets.every((p) => p.body.length <= 950)).toBe(true);
    const assembler = new FrameAssembler();
    const results = packets.map((p) => assembler.add(readMediaPacket(encodeMediaPacket(p))!.packet));
    expect(results.slice(0, 2)).toEqual([{}, {}]);
    expect(results[2]!.frame!.data.equals(frameData)).toBe(true);
    expect(results[2]!.frame!.timestamp).toBe(40n);
  });

  it('an atomic packet is a frame by itself', () => {
    const p = readMediaPacket(pFrame)!.packet;
    expect(new FrameAssembler().add(p).frame!.data.equals(p.body)).toBe(true);
  });

  it('a middle or last part without its first is refused; a new first ends an open frame as refused', () => {
    const [first, middle, last] = parts() as [MediaPacket, MediaPacket, MediaPacket];
    const assembler = new FrameAssembler();
    expect(assembler.add(middle).refused?.reason).toBe('bad_subpackage');
    expect(assembler.add(last).refused?.reason).toBe('bad_subpackage');
    assembler.add(first);
    const next = parts();
    expect(assembler.add(next[0]!).refused?.reason).toBe('bad_subpackage');
    expect(assembler.add(next[1]!)).toEqual({});
    expect(assembler.add(next[2]!).frame!.data.equals(frameData)).toBe(true);
  });

  it('audio between two parts of a video frame leaves the video frame whole', () => {
    const [first, middle, last] = parts() as [MediaPacket, MediaPacket, MediaPacket];
    const assembler = new FrameAssembler();
    assembler.add(first);
    expect(assembler.add(readMediaPacket(audio)!.packet).frame?.dataType).toBe(MediaDataType.audio);
    assembler.add(middle);
    expect(assembler.add(last).frame!.data.equals(frameData)).toBe(true);
  });

  it('after a refused packet (reset) the open frame is dropped, not handed on with a hole', () => {
    const [first, , last] = parts() as [MediaPacket, MediaPacket, MediaPacket];
    const assembler = new FrameAssembler();
    assembler.add(first);
    assembler.reset();
    expect(assembler.add(last).refused?.reason).toBe('bad_subpackage');
  });
});

describe('H.264 → RTP (RFC 6184)', () => {
  const sps = Buffer.from('6742c01e', 'hex');
  const pps = Buffer.from('68ce3c80', 'hex');
  const idr = Buffer.concat([Buffer.of(0x65), Buffer.alloc(3000, 0xaa)]);
  const au = Buffer.concat([Buffer.from('00000001', 'hex'), sps, Buffer.from('000001', 'hex'), pps, Buffer.from('00000001', 'hex'), idr]);

  it('splits Annex B on 3- and 4-byte start codes', () => {
    expect(splitAnnexB(au).map((n) => n.length)).toEqual([4, 4, 3001]);
  });

  it('small NAL units go whole (§5.6), a large one as FU-A (§5.8), the marker on the last packet only, one timestamp', () => {
    const packets = new H264Packetizer({ maxPayload: 1200 }).packetize(au, 123456);
    expect(packets.length).toBe(2 + 3);
    expect(packets.map((p) => (p[1]! & 0x80) !== 0)).toEqual([false, false, false, false, true]);
    expect(new Set(packets.map((p) => p.readUInt32BE(4)))).toEqual(new Set([123456]));
    expect(packets[0]!.subarray(12).equals(sps)).toBe(true);
    const fus = packets.slice(2).map((p) => p.subarray(12));
    expect(fus.map((f) => f[0])).toEqual([0x60 | 28, 0x60 | 28, 0x60 | 28]); // NRI 3 of the IDR, type 28
    expect(fus.map((f) => f[1])).toEqual([0x80 | 5, 5, 0x40 | 5]); // S, -, E; type 5
    expect(Buffer.concat([Buffer.of(0x65), ...fus.map((f) => f.subarray(2))]).equals(idr)).toBe(true);
    const seq = packets.map((p) => p.readUInt16BE(2));
    expect(seq.slice(1).map((s, i) => (s - seq[i]! + 0x10000) & 0xffff)).toEqual([1, 1, 1, 1]);
  });
});

describe('Annex B reader (the simulated camera)', () => {
  const nal = (hex: string) => Buffer.concat([Buffer.from('00000001', 'hex'), Buffer.from(hex, 'hex')]);
  // SPS, PPS, IDR (first_mb 0: 0x88), then P slices: one picture in two slices (0x88, then first_mb ≠ 0: 0x24), another picture
  const stream = Buffer.concat([nal('6742c01e'), nal('68ce3c80'), nal('6588aaaa'), nal('4188bbbb'), nal('4124cccc'), nal('4188dddd'), nal('09f0'), nal('6742c01e')]);
  // (a NAL unit is whole once the next start code comes: the last SPS waits for more)

  it('cuts access units at the first slice of each picture and at a parameter set or delimiter after a slice, in any chunking', () => {
    for (const size of [1, 3, 7, stream.length]) {
      const reader = new AnnexBReader();
      const units: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) units.push(...reader.push(stream.subarray(i, i + size)));
      expect(units.map((u) => nalTypes(u))).toEqual([[7, 8, 5], [1, 1], [1]]);
    }
  });
});

describe('G.711 audio (data type 3)', () => {
  it('encodes A-law as ITU-T G.711 does at its known points', () => {
    expect([alawOf(0), alawOf(32767), alawOf(-32768), alawOf(-8)].map((b) => b.toString(16))).toEqual(['d5', 'aa', '2a', '55']);
  });

  it('takes a HiSilicon header (00 01, length in words, 00) off a frame, and leaves a bare one as it is', () => {
    const samples = alawTone(440, 40, 0);
    expect(samples).toHaveLength(320);
    const framed = Buffer.concat([Buffer.of(0x00, 0x01, 160, 0x00), samples]);
    expect(g711Samples(framed).equals(samples)).toBe(true);
    expect(g711Samples(samples).equals(samples)).toBe(true);
    // a header whose length does not match the frame is audio, not a header
    const lookalike = Buffer.concat([Buffer.of(0x00, 0x01, 10, 0x00), samples]);
    expect(g711Samples(lookalike)).toHaveLength(324);
  });

  it('takes G.711A and µ-law, and no other audio codec', () => {
    expect([6, 7, 8, 19, 26].map(g711LawOf)).toEqual(['alaw', 'mulaw', undefined, undefined, undefined]);
  });
});
