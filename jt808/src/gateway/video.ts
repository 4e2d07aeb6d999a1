// Live video from a terminal (JT/T 1078-2016): the hub's stream.start becomes 0x9101 (the media
// port's address, the logical channel, main stream), stream.stop 0x9102 (close). A channel asked
// for is remembered until it is stopped or the terminal goes, and only such a channel's stream is
// admitted on the media port. The terminal's 0x0001 to either is the command's cmd/ack.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { CommandAckMessage, CommandMessage } from '@hub/config';
import { HubError } from '@hub/platform';
import type { BodyTypes } from '../body';
import { GeneralResult } from '../messages/general-response';
import { MessageId } from '../messages/ids';
import { AvCloseType, AvControl, AvDataType, StreamType } from '../messages/live-video';
import type { Admission, Jt1078MediaListener } from '../media/listener';
import { ackOfResponse } from './commands';
import type { TerminalVideoPort } from './ports';
import type { TerminalSession } from './session';

/** 503 HUB_ERR_JT1078_NO_MEDIA_PORT: the hub has no media port for terminals to send video to. */
export class NoMediaPortError extends HubError {
  constructor(unitId: string) {
    super('HUB_ERR_JT1078_NO_MEDIA_PORT', 503, `unit ${unitId}'s camera cannot be started: this hub does not listen for JT/T 1078 video (jt808.mediaPort)`);
  }
}

type StreamCommand<T extends 'stream.start' | 'stream.stop'> = Extract<CommandMessage, { type: T }>;

export interface TerminalVideoOptions {
  listener: Jt1078MediaListener;
  /** see Jt808GatewayOptions.mediaAddress */
  mediaAddress: string | undefined;
  /** how long a terminal has to answer 0x9101/0x9102, ms */
  answerMs: number;
  commandAck(unitId: string, ack: CommandAckMessage): void;
  log: Logger;
}

export class TerminalVideo {
  /** where admitted streams go; undefined: refused (no_media) */
  port: TerminalVideoPort | undefined;
  #mediaPort: number | undefined;
  /** by unit id: the channels asked for (0x9101) and not stopped */
  readonly #requested = new Map<string, Set<number>>();

  constructor(private readonly opts: TerminalVideoOptions) {}

  async listen(host: string, port: number): Promise<number> {
    this.#mediaPort = await this.opts.listener.listen(host, port);
    return this.#mediaPort;
  }

  async admit(unitId: string, channel: number): Promise<Admission> {
    if (!this.#requested.get(unitId)?.has(channel)) return { refused: 'not_requested', why: `nobody asked unit ${unitId} for channel ${channel}` };
    if (!this.port) return { refused: 'no_media', why: 'the media role does not run on this hub' };
    return { sink: await this.port.open(unitId, channel), unitId };
  }

  /** 0x9101 (JT/T 1078-2016 8.2.1): resolves once sent; the stream comes to the media port. */
  start(session: TerminalSession, unitId: string, command: StreamCommand<'stream.start'>): Promise<void> {
    if (this.#mediaPort === undefined) throw new NoMediaPortError(unitId);
    const channel = command.channel ?? 1;
    const channels = this.#requested.get(unitId) ?? new Set();
    channels.add(channel);
    this.#requested.set(unitId, channels);
    const request = {
      serverAddress: this.opts.mediaAddress ?? localAddress(session.socket),
      tcpPort: this.#mediaPort,
      udpPort: 0, // the hub takes TCP only (README)
      channel,
      // picture and sound: G.711 is transcoded to Opus for the wall (README)
      dataType: AvDataType.audioVideo,
      streamType: StreamType.main,
    };
    this.#answered(session, unitId, command.id, MessageId.LiveVideoRequest, request, (ok) => {
      if (!ok) this.#requested.get(unitId)?.delete(channel);
    });
    return Promise.resolve();
  }

  /** 0x9102 close (control command 0, close type 0: audio and video), and the hub's side of the stream ends at once. */
  stop(session: TerminalSession, unitId: string, command: StreamCommand<'stream.stop'>): Promise<void> {
    const channel = command.channel ?? 1;
    this.#requested.get(unitId)?.delete(channel);
    this.opts.listener.closeStreams(unitId, channel);
    this.#answered(session, unitId, command.id, MessageId.LiveVideoControl, { channel, command: AvControl.close, closeType: AvCloseType.all, switchTo: StreamType.main }, () => {});
    return Promise.resolve();
  }

  /** The terminal went: its channels are no longer asked for, and their streams end. */
  forget(unitId: string): void {
    this.#requested.delete(unitId);
    this.opts.listener.closeStreams(unitId);
  }

  close(): Promise<void> {
    return this.opts.listener.close();
  }

  #answered<K extends typeof MessageId.LiveVideoRequest | typeof MessageId.LiveVideoControl>(
    session: TerminalSession,
    unitId: string,
    commandId: string,
    messageId: K,
    body: BodyTypes[K],
    then: (ok: boolean) => void,
  ): void {
    session.request(messageId, body, this.opts.answerMs).then(
      (answer) => {
        const result = answer.kind === 'response' ? answer.result : GeneralResult.failure;
        then(result === GeneralResult.ok);
        this.opts.commandAck(unitId, ackOfResponse(commandId, result, `0x${messageId.toString(16)}`));
      },
      (err: unknown) => {
        then(false);
        this.opts.log.warn({ unitId, commandId, err: (err as Error).message }, `JT/T 1078 0x${messageId.toString(16)} not answered`);
      },
    );
  }
}

/** The hub's address as the terminal reached it (an IPv4-mapped IPv6 address as plain IPv4). */
function localAddress(socket: Socket): string {
  return (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}
