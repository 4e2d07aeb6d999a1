import { UnitIdSchema } from './ids';

/** The message kinds a unit publishes under `units/{unitId}/`. */
export type UnitTopicKind = 'gps' | 'alarm' | 'status' | 'cmd/ack' | 'cmd/answer';

export const topics = {
  gps: (unitId: string) => `units/${unitId}/gps`,
  alarm: (unitId: string) => `units/${unitId}/alarm`,
  status: (unitId: string) => `units/${unitId}/status`,
  cmd: (unitId: string) => `units/${unitId}/cmd`,
  cmdAck: (unitId: string) => `units/${unitId}/cmd/ack`,
  /** the person's answer to a dispatch (accept or refuse), apart from the device's delivery ack */
  cmdAnswer: (unitId: string) => `units/${unitId}/cmd/answer`,
} as const;

const UNIT_TOPIC = /^units\/([^/]+)\/(gps|alarm|status|cmd\/ack|cmd\/answer)$/;

/** Splits `units/{unitId}/{kind}`; undefined for any other topic. */
export function parseUnitTopic(topic: string): { unitId: string; kind: UnitTopicKind } | undefined {
  const m = UNIT_TOPIC.exec(topic);
  if (!m || !UnitIdSchema.safeParse(m[1]).success) return undefined;
  return { unitId: m[1]!, kind: m[2] as UnitTopicKind };
}
