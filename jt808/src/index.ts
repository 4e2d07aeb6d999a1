// @hub/jt808: the JT/T 808 (2011, 2013, 2019) and JT/T 1078 signalling codec. Pure functions
// over Buffers: no sockets, no database; and the gateway (src/gateway/: TCP sessions of terminals
// into units) that stands on it, given the rest of the hub as ports.
export { Jt808Error, JT808_REFUSAL_REASONS, type Jt808RefusalReason } from './errors';
export { checkCode, escapeFrame, unescapeFrame } from './framing';
export { MAX_BODY_LENGTH, type Jt808Header, type Jt808Message } from './header';
export { decodeFrame, DEFAULT_MAX_FRAME_BYTES, FrameStreamDecoder, type FrameResult, type FrameStreamOptions } from './stream';
export { decodeBody, encodeBody, encodeFrame, encodeMessage, isKnownMessageId, type BodyTypes, type DecodedBody, type KnownMessageId } from './body';
export { MessageId, type MessageIdValue } from './messages/ids';
export { GeneralResult, type GeneralResponse } from './messages/general-response';
export { RegistrationResult, type Jt808Edition, type Registration, type RegistrationResponse } from './messages/registration';
export type { Authentication } from './messages/authentication';
export {
  AdditionalItemId,
  BatchType,
  knownItems,
  readKnownItems,
  StatusBit,
  type AdditionalItem,
  type KnownItems,
  type LocationBatch,
  type LocationQueryAnswer,
  type LocationReport,
} from './messages/location';
export { TextFlag, type AlarmConfirmation, type TextMessage } from './messages/platform-commands';
export { AvCloseType, AvControl, AvDataType, StreamType, type LiveVideoControl, type LiveVideoRequest } from './messages/live-video';
export { SubpackageReassembler, type IncompleteMessage, type ReassemblerOptions } from './reassembly';
export { ALARM_FLAGS, alarmFlagsOf, bitsNeedingConfirmation, type AlarmFlag } from './alarm-flags';
export { toPosition, type Jt808Position } from './to-position';
export { Jt808Gateway, type Jt808GatewayOptions } from './gateway/gateway';
export type { AuthCodeCheck, Jt808GatewayPorts, TerminalUnit } from './gateway/ports';
export { TerminalCommandUnsupportedError, TerminalUnavailableError, textOfCommand } from './gateway/commands';
export { Jt808Terminal, locationReport, TEST_REGISTRATION, type Jt808TerminalOptions, type PlatformMessage } from './terminal';
export {
  encodeMediaPacket,
  isVideo,
  MAX_MEDIA_BODY,
  MEDIA_FRAME_HEADER,
  MediaDataType,
  MediaPayloadType,
  readMediaPacket,
  Subpackage,
  type MediaDataTypeValue,
  type MediaPacket,
  type SubpackageValue,
} from './media/packet';
export { MediaStreamDecoder, type MediaPacketResult, type MediaStreamOptions } from './media/stream';
export { FrameAssembler, packetsOfFrame, type FrameAssemblerOptions, type FrameAssemblyResult, type MediaFrame } from './media/frames';
export { H264Packetizer, nalTypes, rtpTimestamp90k, splitAnnexB, type H264PacketizerOptions } from './media/rtp-h264';
export { Jt1078MediaListener, type Admission, type MediaListenerOptions, type VideoSink } from './media/listener';
export { NoMediaPortError } from './gateway/video';
export type { TerminalVideoPort } from './gateway/ports';
export { AnnexBReader } from './media/annexb-reader';
export { TerminalCamera, type TerminalCameraOptions } from './media/camera';
export { alawOf, alawTone, g711LawOf, g711Samples, type G711Law } from './media/g711';
