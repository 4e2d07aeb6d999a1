import type { BodyReader, BodyWriter } from '../bytes';
import type { Jt808Header } from '../header';

/** One message's body: decode from the reader, encode into the writer; the header says the edition. */
export interface BodyCodec<T> {
  decode(r: BodyReader, header: Jt808Header): T;
  encode(w: BodyWriter, body: T, header: Jt808Header): void;
}

/** Heartbeat, logout, position query: no body. */
export const emptyCodec: BodyCodec<Record<string, never>> = {
  decode: () => ({}),
  encode: () => {},
};
