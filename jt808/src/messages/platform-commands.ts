// Platform → terminal commands: 0x8203 manual alarm confirmation (JT/T 808-2019 Table 30),
// 0x8300 text message (2011/2013 Table 32: BYTE flags + GBK text; 2019 Table 32 adds BYTE text
// type after the flags, 1 notice, 2 service).
import type { BodyCodec } from './codec';

export interface AlarmConfirmation {
  /** the serial of the 0x0200 whose alarm is confirmed; 0 confirms every message of that alarm type */
  alarmSerial: number;
  /** the alarm flag bits confirmed (Table 24 bit positions, see ALARM_FLAGS) */
  alarmTypes: number;
}

export const alarmConfirmationCodec: BodyCodec<AlarmConfirmation> = {
  decode: (r) => ({ alarmSerial: r.u16('alarm message serial'), alarmTypes: r.u32('alarm type') }),
  encode(w, b) {
    w.u16(b.alarmSerial).u32(b.alarmTypes);
  },
};

/** 0x8300 flag bits (Table 32). */
export const TextFlag = {
  /** 0 service, 1 urgent (2019); 2011/2013: emergency */
  urgent: 1 << 0,
  /** show on the terminal's display */
  display: 1 << 2,
  /** read aloud by TTS */
  tts: 1 << 3,
  /** 2011/2013: show on the advertising screen */
  advertising: 1 << 4,
} as const;

export interface TextMessage {
  /** TextFlag bits */
  flags: number;
  /** 2019 only: 1 notice, 2 service (default 1 when encoding a 2019 header) */
  textType?: number;
  text: string;
}

export const textMessageCodec: BodyCodec<TextMessage> = {
  decode(r, header) {
    const flags = r.u8('flags');
    if (header.protocolVersion === undefined) return { flags, text: r.text(r.remaining, 'text') };
    const textType = r.u8('text type');
    return { flags, textType, text: r.text(r.remaining, 'text') };
  },
  encode(w, b, header) {
    w.u8(b.flags);
    if (header.protocolVersion !== undefined) w.u8(b.textType ?? 1);
    w.text(b.text);
  },
};
