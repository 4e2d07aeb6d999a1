// The hub's unit commands (config/src/wire.ts CommandMessage) as a JT/T 808 terminal takes them.
// A terminal has no program of ours: what it can take is a text message 0x8300, shown on its
// display and read aloud (JT/T 808-2019 Table 36 flags). Video (stream.start/stop) is JT/T 1078
// 0x9101/0x9102 (video.ts); sos.status has no place on a terminal and is refused with a code.
import type { CommandAckMessage, CommandMessage } from '@hub/config';
import { HubError } from '@hub/platform';
import { toGbk } from '../bytes';
import { GeneralResult } from '../messages/general-response';
import { MAX_BODY_LENGTH } from '../header';
import { TextFlag, type TextMessage } from '../messages/platform-commands';

/** 422 HUB_ERR_JT808_COMMAND_UNSUPPORTED: a command a JT/T 808 terminal cannot take. */
export class TerminalCommandUnsupportedError extends HubError {
  constructor(unitId: string, type: string) {
    super(
      'HUB_ERR_JT808_COMMAND_UNSUPPORTED',
      422,
      `unit ${unitId} is a JT/T 808 terminal, which cannot take a ${type} command (it takes dispatches and messages as text, and stream.start/stop as JT/T 1078 video)`,
    );
  }
}

/** 409 HUB_ERR_UNIT_OFFLINE / 504 HUB_ERR_JT808_NO_ANSWER: a terminal that is not there or does not answer. */
export class TerminalUnavailableError extends HubError {}

/** Display + TTS (Table 36 bits 2 and 3), and bit 0 "urgent" for a dispatch: a driver hears it without looking. */
const DISPATCH_FLAGS = TextFlag.urgent | TextFlag.display | TextFlag.tts;
const MESSAGE_FLAGS = TextFlag.display | TextFlag.tts;
/** the flags byte and the 2019 text type byte come before the text */
const MAX_TEXT_BYTES = MAX_BODY_LENGTH - 2;

/** The text message a command becomes on a terminal; throws TerminalCommandUnsupportedError for the others. */
export function textOfCommand(unitId: string, command: CommandMessage): TextMessage {
  switch (command.type) {
    case 'dispatch': {
      // drivers in China read and hear Chinese: "dispatch, incident 12: <note>. Place: lat, lon"
      const incident = command.incidentId ? ` 事件${command.incidentId}` : '';
      const note = command.note ? `：${command.note}` : '';
      const place = `。地点：${command.lat.toFixed(6)},${command.lon.toFixed(6)}`;
      return { flags: DISPATCH_FLAGS, textType: 1, text: fitGbk(`调度${incident}${note}`, MAX_TEXT_BYTES - toGbk(place).length) + place };
    }
    case 'message':
      return { flags: MESSAGE_FLAGS, textType: 1, text: fitGbk(command.text, MAX_TEXT_BYTES) };
    default:
      throw new TerminalCommandUnsupportedError(unitId, command.type);
  }
}

/** `text` cut (at a character) to at most `max` bytes of GBK. */
export function fitGbk(text: string, max: number): string {
  if (toGbk(text).length <= max) return text;
  const chars = [...text];
  while (chars.length > 0 && toGbk(chars.join('')).length > max - 3) chars.pop();
  return chars.join('') + '…';
}

/** The terminal's 0x0001 answer to a command's text (Table 5) as the device's cmd/ack: ok is delivery, nothing more. */
export function ackOfResponse(commandId: string, result: number, what = 'the text message'): CommandAckMessage {
  if (result === GeneralResult.ok) return { id: commandId, ok: true };
  const code = result === GeneralResult.notSupported ? 'unsupported_command' : result === GeneralResult.badMessage ? 'invalid_command' : 'failed';
  return { id: commandId, ok: false, code, message: `the terminal answered ${what} with 0x0001 result ${result} (${code})` };
}
