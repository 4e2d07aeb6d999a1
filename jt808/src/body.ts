// Bodies by message id: decode a message's body into its typed fields, encode typed fields into
// a whole frame. One codec per id does both, so what the hub sends and what a simulated terminal
// sends are read back by the same table.
import { BodyReader, BodyWriter } from './bytes';
import { Jt808Error } from './errors';
import { wrapFrame } from './framing';
import { encodeHeader, hex4, type Jt808Header, type Jt808Message } from './header';
import { emptyCodec, type BodyCodec } from './messages/codec';
import { generalResponseCodec, type GeneralResponse } from './messages/general-response';
import { MessageId } from './messages/ids';
import { liveVideoControlCodec, liveVideoRequestCodec, type LiveVideoControl, type LiveVideoRequest } from './messages/live-video';
import { locationBatchCodec, locationCodec, locationQueryAnswerCodec, type LocationBatch, type LocationQueryAnswer, type LocationReport } from './messages/location';
import { alarmConfirmationCodec, textMessageCodec, type AlarmConfirmation, type TextMessage } from './messages/platform-commands';
import { authenticationCodec, type Authentication } from './messages/authentication';
import { registrationCodec, registrationResponseCodec, type Registration, type RegistrationResponse } from './messages/registration';

type Empty = Record<string, never>;

/** The body type of each message id the codec knows. */
export interface BodyTypes {
  [MessageId.TerminalResponse]: GeneralResponse;
  [MessageId.Heartbeat]: Empty;
  [MessageId.Logout]: Empty;
  [MessageId.Registration]: Registration;
  [MessageId.Authentication]: Authentication;
  [MessageId.Location]: LocationReport;
  [MessageId.LocationQueryAnswer]: LocationQueryAnswer;
  [MessageId.LocationBatch]: LocationBatch;
  [MessageId.PlatformResponse]: GeneralResponse;
  [MessageId.RegistrationResponse]: RegistrationResponse;
  [MessageId.LocationQuery]: Empty;
  [MessageId.AlarmConfirmation]: AlarmConfirmation;
  [MessageId.TextMessage]: TextMessage;
  [MessageId.LiveVideoRequest]: LiveVideoRequest;
  [MessageId.LiveVideoControl]: LiveVideoControl;
}
export type KnownMessageId = keyof BodyTypes;

const CODECS: { [K in KnownMessageId]: BodyCodec<BodyTypes[K]> } = {
  [MessageId.TerminalResponse]: generalResponseCodec,
  [MessageId.Heartbeat]: emptyCodec,
  [MessageId.Logout]: emptyCodec,
  [MessageId.Registration]: registrationCodec,
  [MessageId.Authentication]: authenticationCodec,
  [MessageId.Location]: locationCodec,
  [MessageId.LocationQueryAnswer]: locationQueryAnswerCodec,
  [MessageId.LocationBatch]: locationBatchCodec,
  [MessageId.PlatformResponse]: generalResponseCodec,
  [MessageId.RegistrationResponse]: registrationResponseCodec,
  [MessageId.LocationQuery]: emptyCodec,
  [MessageId.AlarmConfirmation]: alarmConfirmationCodec,
  [MessageId.TextMessage]: textMessageCodec,
  [MessageId.LiveVideoRequest]: liveVideoRequestCodec,
  [MessageId.LiveVideoControl]: liveVideoControlCodec,
};

/** A decoded body with its message id, narrowed by `messageId`. */
export type DecodedBody = { [K in KnownMessageId]: { messageId: K; body: BodyTypes[K] } }[KnownMessageId];

export function isKnownMessageId(id: number): id is KnownMessageId {
  return Object.hasOwn(CODECS, id);
}

/**
 * A whole message's body (sub-packaged ones reassembled first) → its typed fields. Refused: an
 * id the codec does not know (`unsupported_message`: answer 0x8001 result 3), an encrypted body,
 * a body too short for its fields, a value the standard does not allow.
 */
export function decodeBody(message: Jt808Message): DecodedBody {
  const { header, body } = message;
  const id = header.messageId;
  if (!isKnownMessageId(id)) throw new Jt808Error('unsupported_message', `message 0x${hex4(id)} is not supported`);
  if (header.encryption !== 0) throw new Jt808Error('encrypted', `message 0x${hex4(id)} is encrypted (body attributes ${header.encryption}); this hub reads plain bodies only`);
  if (header.packet) throw new Jt808Error('bad_subpackage', `message 0x${hex4(id)} is part ${header.packet.index} of ${header.packet.total}: reassemble it first`);
  const codec = CODECS[id] as BodyCodec<unknown>;
  return { messageId: id, body: codec.decode(new BodyReader(body, `0x${hex4(id)}`), header) } as DecodedBody;
}

/** Typed fields → the body bytes of message `messageId` in the header's edition. */
export function encodeBody<K extends KnownMessageId>(header: Jt808Header & { messageId: K }, body: BodyTypes[K]): Buffer {
  const w = new BodyWriter();
  (CODECS[header.messageId] as BodyCodec<BodyTypes[K]>).encode(w, body, header);
  return w.toBuffer();
}

/** Header + body bytes → one frame on the wire: 0x7E, escaped header, body and check code, 0x7E. */
export function encodeFrame(message: Jt808Message): Buffer {
  return wrapFrame(encodeHeader(message.header, message.body));
}

/** Header + typed fields → one frame on the wire. */
export function encodeMessage<K extends KnownMessageId>(header: Omit<Jt808Header, 'encryption'> & { messageId: K; encryption?: number }, body: BodyTypes[K]): Buffer {
  const full = { encryption: 0, ...header };
  return encodeFrame({ header: full, body: encodeBody(full, body) });
}
