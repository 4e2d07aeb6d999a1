// The codec's one refusal: a frame, header or body it will not decode (or a body it will not
// encode), with a typed reason the gateway counts (`reason`) and a sentence for the log.
import { HubError } from '@hub/platform';

/**
 * Why a frame or body was refused:
 * `bad_escape` 0x7D followed by a byte other than 0x01/0x02 (JT/T 808 'identifier' clause),
 * `bad_checksum` the XOR check code does not match (JT/T 808 'check code' clause),
 * `bad_length` too short for its header, a body length other than the attribute says, or a body field running past the end,
 * `too_long` a frame over the stream decoder's maximum, or a body over 1023 bytes to encode,
 * `bad_field` a value the standard does not allow (BCD digit over 9, a date that does not exist),
 * `bad_subpackage` sub-package total/index out of range or inconsistent with earlier parts,
 * `reassembly_full` too many sub-packaged messages are waiting for their parts,
 * `encrypted` the body is encrypted (RSA, body attribute bits 10-12), which this hub does not do,
 * `unsupported_message` no body codec for this message id (the gateway answers 0x8001 result 3),
 * `bad_sync` JT/T 1078 media bytes that are no packet (no frame header 0x30316364 where one must start).
 */
export const JT808_REFUSAL_REASONS = [
  'bad_escape',
  'bad_checksum',
  'bad_length',
  'too_long',
  'bad_field',
  'bad_subpackage',
  'reassembly_full',
  'encrypted',
  'unsupported_message',
  'bad_sync',
] as const;
export type Jt808RefusalReason = (typeof JT808_REFUSAL_REASONS)[number];

/** 400 HUB_ERR_JT808_<REASON>: bytes from (or for) a terminal that the codec refuses. */
export class Jt808Error extends HubError {
  constructor(
    readonly reason: Jt808RefusalReason,
    message: string,
  ) {
    super(`HUB_ERR_JT808_${reason.toUpperCase()}`, 400, message);
  }
}
