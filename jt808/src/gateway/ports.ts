// What the gateway needs of the rest of the hub, handed in by the hub (hub/src/plugins.ts): the
// units register (telemetry's store), the ingest and presence path MQTT units take (telemetry),
// and the alarm service (alarms). Ports, not imports: @hub/jt808 stays on config and platform,
// so telemetry or alarms may one day use the codec without a cycle.
import type { CommandAckMessage, DeviceAlarm, PositionMessage } from '@hub/config';
import type { VideoSink } from '../media/listener';

/** A terminal's unit as the register knows it. */
export interface TerminalUnit {
  unitId: string;
  disabled: boolean;
  /** holds an authentication code */
  registered: boolean;
}

/** The answer of an authentication code check, as for an MQTT secret. */
export type AuthCodeCheck = 'ok' | 'unknown_unit' | 'disabled' | 'no_credential' | 'bad_secret';

export interface Jt808GatewayPorts {
  terminals: {
    /** the unit whose terminal has this phone number (the header's digits, zero-padded); undefined when none */
    find(phone: string): Promise<TerminalUnit | undefined>;
    /** issues an authentication code to a terminal that holds none; undefined when it holds one already */
    register(unitId: string): Promise<string | undefined>;
    verify(unitId: string, authCode: string): Promise<AuthCodeCheck>;
    /** forgets the code (logout 0x0003): the terminal must register again */
    deregister(unitId: string): Promise<void>;
  };
  units: {
    /** resolves true once committed, false when refused (counted by ingest); rejects when the database failed */
    position(unitId: string, source: string, position: PositionMessage): Promise<boolean>;
    connected(unitId: string): void;
    disconnected(unitId: string): void;
  };
  /** stores an SOS or device alarm (the alarm service, as for an MQTT alarm); resolves once stored */
  alarm(alarm: DeviceAlarm): Promise<void>;
  /** the terminal answered a command's text (0x0001): the unit's cmd/ack, as an MQTT unit's comes on the bus */
  commandAck(unitId: string, ack: CommandAckMessage): void;
}

/** Where a terminal's JT/T 1078 video goes: the hub's SFU, a producer under the stream id of the unit's channel. */
export interface TerminalVideoPort {
  /** the sink of this unit's channel's stream, once it is ready to take frames */
  open(unitId: string, channel: number): Promise<VideoSink>;
}
