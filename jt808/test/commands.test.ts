// The hub's commands as a terminal takes them (gateway/commands.ts): a dispatch or a message as a
// text 0x8300 that always fits one frame, the rest refused with a code.
import { describe, expect, it } from 'vitest';
import { decodeBody, decodeFrame, encodeMessage, MessageId, TextFlag, textOfCommand } from '@hub/jt808';

const dispatch = (note?: string) => ({ id: 'c-1', ts: 0, type: 'dispatch' as const, incidentId: '12', lat: 22.5431, lon: -114.0579, ...(note !== undefined && { note }) });

describe('commands to a terminal', () => {
  it('puts a dispatch in one urgent, displayed and spoken text: the incident, the note, the place', () => {
    const text = textOfCommand('truck-1', dispatch('东门集合'));
    expect(text.flags).toBe(TextFlag.urgent | TextFlag.display | TextFlag.tts);
    expect(text.text).toBe('调度 事件12：东门集合。地点：22.543100,-114.057900');
  });

  it('cuts a long note so that the text fits one frame in GBK (2019 and 2013 headers), keeping the place', () => {
    const text = textOfCommand('truck-1', dispatch('火'.repeat(1000)));
    expect(text.text).toMatch(/…。地点：22\.543100,-114\.057900$/);
    for (const protocolVersion of [1, undefined]) {
      const frame = encodeMessage({ messageId: MessageId.TextMessage, phone: '13800138000', serial: 1, ...(protocolVersion && { protocolVersion }) }, text);
      const back = decodeBody(decodeFrame(frame));
      expect(back.messageId === MessageId.TextMessage && back.body.text).toBe(text.text);
    }
  });

  it('refuses what a terminal cannot take with HUB_ERR_JT808_COMMAND_UNSUPPORTED', () => {
    for (const command of [
      { id: 'c-2', ts: 0, type: 'stream.start' as const, streamId: 's' },
      { id: 'c-3', ts: 0, type: 'sos.status' as const, incidentId: '1', acknowledged: true, coming: [] },
    ]) {
      expect(() => textOfCommand('truck-1', command)).toThrow(expect.objectContaining({ code: 'HUB_ERR_JT808_COMMAND_UNSUPPORTED', statusCode: 422 }));
    }
  });
});
