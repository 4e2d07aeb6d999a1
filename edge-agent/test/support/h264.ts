// H.264 in RTP (RFC 6184) for tests: the SPS and the picture size it codes, read by the media
// server's own parser (the one that gives /api/streams its sizes).
import { h264SpsFromRtp, h264SpsPictureSize } from '@hub/media-server';

/** The SPS NAL unit in an RTP payload (alone, or in a STAP-A), copied. */
export function spsFromRtp(payload: Buffer): Buffer | undefined {
  const sps = h264SpsFromRtp(payload);
  return sps && Buffer.from(sps);
}

/** Width, height and profile coded in an SPS NAL unit (with its header byte). */
export function spsPictureSize(nal: Buffer): { width: number; height: number; profile: number } {
  const size = h264SpsPictureSize(nal);
  if (!size) throw new Error(`not an SPS that can be read: ${nal.toString('hex')}`);
  return size;
}
