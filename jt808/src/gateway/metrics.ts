// The gateway's Prometheus figures, in the hub's registry (served at /metrics).
import { Counter, Gauge, type Registry } from 'prom-client';

export type Jt808Metrics = ReturnType<typeof createJt808Metrics>;

export function createJt808Metrics(registry: Registry) {
  return {
    sessions: new Gauge({ name: 'hub_jt808_sessions', help: 'Authenticated JT/T 808 terminal sessions', registers: [registry] }),
    connections: new Gauge({ name: 'hub_jt808_connections', help: 'Open TCP connections on the JT/T 808 port, authenticated or not', registers: [registry] }),
    messages: new Counter({ name: 'hub_jt808_messages_total', help: 'Whole JT/T 808 messages received, by message id (hex)', labelNames: ['message'] as const, registers: [registry] }),
    retransmitted: new Counter({
      name: 'hub_jt808_retransmitted_total',
      help: 'Platform messages sent again because the terminal did not answer in time, by message id (hex)',
      labelNames: ['message'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'hub_jt808_refused_total',
      help: 'JT/T 808 frames and messages refused, by reason (the codec reasons, not_authenticated, bad_auth_code, unknown_terminal, already_registered, no_fix…)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}

export type Jt1078Metrics = ReturnType<typeof createJt1078Metrics>;

/** The media listener's figures (JT/T 1078 streams). */
export function createJt1078Metrics(registry: Registry) {
  return {
    connections: new Gauge({ name: 'hub_jt1078_connections', help: 'Open TCP connections on the JT/T 1078 media port', registers: [registry] }),
    frames: new Counter({
      name: 'hub_jt1078_frames_total',
      help: 'Whole JT/T 1078 frames received, by kind (video, audio, transparent) and fate (forwarded, dropped)',
      labelNames: ['kind', 'fate'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'hub_jt1078_refused_total',
      help: 'JT/T 1078 packets, frames and connections refused, by reason (bad_sync, bad_field, too_long, bad_subpackage, unknown_stream, not_requested, no_media, wrong_stream, unsupported_codec)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
