// 0x0100 terminal registration and its answer 0x8100. The fixed fields' widths differ per
// edition: JT/T 808-2011 Table 7 (manufacturer BYTE[5], model BYTE[8], terminal id BYTE[7]),
// 2013 Table 8 (BYTE[5], BYTE[20], BYTE[7]) and 2019 Table 8 (BYTE[11], BYTE[30], BYTE[30]);
// then plate colour BYTE (JT/T 415: 0 none, 1 blue, 2 yellow, 3 black, 4 white, 9 other) and
// the plate as GBK text to the end of the body (the VIN when the colour is 0).
import { Jt808Error } from '../errors';
import type { BodyCodec } from './codec';

export type Jt808Edition = 2011 | 2013 | 2019;

interface FieldWidths {
  manufacturer: number;
  model: number;
  terminalId: number;
}

const WIDTHS: Record<Jt808Edition, FieldWidths> = {
  2011: { manufacturer: 5, model: 8, terminalId: 7 },
  2013: { manufacturer: 5, model: 20, terminalId: 7 },
  2019: { manufacturer: 11, model: 30, terminalId: 30 },
};

/** Province WORD + city WORD + the three fields + plate colour BYTE. */
const fixedLength = (w: FieldWidths) => 2 + 2 + w.manufacturer + w.model + w.terminalId + 1;

export interface Registration {
  /** which table the fields were read with: 2019 from the header's version flag; 2011 and 2013 share a header, so by body length (2013's fixed part is 37 bytes) */
  edition: Jt808Edition;
  /** GB/T 2260 province code */
  province: number;
  /** GB/T 2260 city / county code */
  city: number;
  manufacturer: string;
  model: string;
  terminalId: string;
  /** JT/T 415 plate colour; 0: unplated, `plate` holds the VIN */
  plateColour: number;
  plate: string;
}

export const registrationCodec: BodyCodec<Registration> = {
  decode(r, header) {
    const edition: Jt808Edition = header.protocolVersion !== undefined ? 2019 : r.remaining >= fixedLength(WIDTHS[2013]) ? 2013 : 2011;
    const w = WIDTHS[edition];
    return {
      edition,
      province: r.u16('province'),
      city: r.u16('city'),
      manufacturer: r.fixedText(w.manufacturer, 'manufacturer id'),
      model: r.fixedText(w.model, 'terminal model'),
      terminalId: r.fixedText(w.terminalId, 'terminal id'),
      plateColour: r.u8('plate colour'),
      plate: r.text(r.remaining, 'plate'),
    };
  },
  encode(out, b, header) {
    if ((b.edition === 2019) !== (header.protocolVersion !== undefined))
      throw new Jt808Error('bad_field', `a ${b.edition} registration in a ${header.protocolVersion !== undefined ? '2019' : '2011/2013'} header`);
    const w = WIDTHS[b.edition];
    out.u16(b.province).u16(b.city).fixedText(b.manufacturer, w.manufacturer, 'manufacturer id').fixedText(b.model, w.model, 'terminal model').fixedText(b.terminalId, w.terminalId, 'terminal id');
    out.u8(b.plateColour).text(b.plate);
  },
};

/** 0x8100 results (JT/T 808-2019 Table 9). */
export const RegistrationResult = {
  ok: 0,
  vehicleAlreadyRegistered: 1,
  /** 数据库中无该车辆: the hub knows no unit with this phone number */
  noSuchVehicle: 2,
  terminalAlreadyRegistered: 3,
  noSuchTerminal: 4,
} as const;

export interface RegistrationResponse {
  answeredSerial: number;
  /** RegistrationResult */
  result: number;
  /** with result 0 only: the authentication code the terminal sends in 0x0102 */
  authCode?: string;
}

export const registrationResponseCodec: BodyCodec<RegistrationResponse> = {
  decode(r) {
    const answeredSerial = r.u16('answered serial');
    const result = r.u8('result');
    // Table 9: the code follows only a success
    return result === RegistrationResult.ok ? { answeredSerial, result, authCode: r.text(r.remaining, 'authentication code') } : { answeredSerial, result };
  },
  encode(w, b) {
    w.u16(b.answeredSerial).u8(b.result);
    if (b.result === RegistrationResult.ok) w.text(b.authCode ?? '');
  },
};
