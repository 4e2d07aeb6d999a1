// 0x0001 terminal general response and 0x8001 platform general response share one layout
// (JT/T 808-2019 Tables 5 and 6): WORD answered serial, WORD answered message id, BYTE result.
import type { BodyReader, BodyWriter } from '../bytes';

/** 0x8001 results (Table 6); 0x0001 uses 0-3 of them (Table 5). */
export const GeneralResult = {
  ok: 0,
  failure: 1,
  /** 消息有误: the message was malformed */
  badMessage: 2,
  /** 不支持: the message id is not supported */
  notSupported: 3,
  /** 报警处理确认: 0x8001 only, the alarm was handled */
  alarmHandled: 4,
} as const;

export interface GeneralResponse {
  /** the serial number of the message answered */
  answeredSerial: number;
  answeredMessageId: number;
  /** GeneralResult */
  result: number;
}

export const generalResponseCodec = {
  decode(r: BodyReader): GeneralResponse {
    return { answeredSerial: r.u16('answered serial'), answeredMessageId: r.u16('answered message id'), result: r.u8('result') };
  },
  encode(w: BodyWriter, b: GeneralResponse): void {
    w.u16(b.answeredSerial).u16(b.answeredMessageId).u8(b.result);
  },
};
