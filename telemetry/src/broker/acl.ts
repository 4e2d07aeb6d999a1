// Topic ACL for units: a unit publishes only under units/{its id}/ and subscribes only
// to its own command topic.
import { parseUnitTopic, topics, type UnitTopicKind } from '@hub/config';

export type PublishDecision = { allowed: true; kind: UnitTopicKind } | { allowed: false; reason: 'other_unit' | 'topic_not_allowed' };

export function authorizeUnitPublish(unitId: string, topic: string): PublishDecision {
  const parsed = parseUnitTopic(topic);
  if (!parsed) return { allowed: false, reason: topic.startsWith('units/') && !topic.startsWith(`units/${unitId}/`) ? 'other_unit' : 'topic_not_allowed' };
  if (parsed.unitId !== unitId) return { allowed: false, reason: 'other_unit' };
  return { allowed: true, kind: parsed.kind };
}

export function authorizeUnitSubscribe(unitId: string, topicFilter: string): boolean {
  // Exact match: wildcards would let a unit read other units' commands (MQTT-4.7.1).
  return topicFilter === topics.cmd(unitId);
}
