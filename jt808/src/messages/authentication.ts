// 0x0102 terminal authentication. 2011/2013 (Table 10): the authentication code, GBK, the whole
// body. 2019 (Table 10): BYTE code length, the code, IMEI BYTE[15], software version BYTE[20]
// (right-padded with 0x00).
import type { BodyCodec } from './codec';

export interface Authentication {
  /** the code the platform gave in 0x8100 */
  authCode: string;
  /** 2019 only */
  imei?: string;
  /** 2019 only */
  softwareVersion?: string;
}

const IMEI_BYTES = 15;
const SOFTWARE_VERSION_BYTES = 20;

export const authenticationCodec: BodyCodec<Authentication> = {
  decode(r, header) {
    if (header.protocolVersion === undefined) return { authCode: r.text(r.remaining, 'authentication code') };
    const length = r.u8('authentication code length');
    return { authCode: r.text(length, 'authentication code'), imei: r.fixedText(IMEI_BYTES, 'IMEI'), softwareVersion: r.fixedText(SOFTWARE_VERSION_BYTES, 'software version') };
  },
  encode(w, b, header) {
    if (header.protocolVersion === undefined) {
      w.text(b.authCode);
      return;
    }
    const code = w.gbkLength(b.authCode, 0xff, 'authentication code');
    w.u8(code.length)
      .bytes(code)
      .fixedText(b.imei ?? '', IMEI_BYTES, 'IMEI')
      .fixedText(b.softwareVersion ?? '', SOFTWARE_VERSION_BYTES, 'software version');
  },
};
