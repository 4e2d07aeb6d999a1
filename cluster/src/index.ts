// Several hubs as one (README: "Several hubs"): each hub is a member with a lease in Redis;
// Redis answers whether a unit is connected anywhere, carries the events every wall shows and
// the MQTT messages that must reach a unit on another hub. PostgreSQL stays the one record.
export { ClusterMember, type ClusterMemberOptions, type ClusterMemberEvents, type ClusterHealth, type ClusterLog } from './member';
export { ClusterMq, NEW_CLIENTS, type ClusterMqOptions } from './mq';
export { ClusterUnavailableError, redact } from './errors';
