// Topic ACL for units: a unit publishes only under units/{its id}/ and subscribes only
// to its own command topic.
import { NEW_CLIENTS } from '@hub/cluster';
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

/**
 * The MQTT topics (and subscription filters) whose messages must reach another hub of a
 * cluster: commands to a unit (it may be connected anywhere) and aedes's notice that a client
 * id connected on some hub (the older connection elsewhere closes). See @hub/cluster's ClusterMq.
 */
export function crossesHubs(topic: string): boolean {
  return NEW_CLIENTS.test(topic) || CMD_TOPIC.test(topic);
}
const CMD_TOPIC = /^units\/[^/]+\/cmd$/;
