// Prometheus metrics of the telemetry plugin, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createTelemetryMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'hub_process_' });
  const m = {
    registry,
    connectedUnits: new Gauge({ name: 'hub_mqtt_connected_units', help: 'Units connected to the MQTT broker', registers: [registry] }),
    connectRefused: new Counter({
      name: 'hub_mqtt_connect_refused_total',
      help: 'Refused MQTT CONNECTs, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    publishRefused: new Counter({
      name: 'hub_mqtt_publish_refused_total',
      help: 'PUBLISHes refused by the topic ACL, by reason (the client is disconnected)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    packetRefused: new Counter({
      name: 'hub_mqtt_packet_refused_total',
      help: 'MQTT connections closed for a packet over mqtt.maxPacketBytes (or a malformed length), by reason and transport',
      labelNames: ['reason', 'transport'] as const,
      registers: [registry],
    }),
    subscribeRefused: new Counter({
      name: 'hub_mqtt_subscribe_refused_total',
      help: 'SUBSCRIBEs refused by the topic ACL (SUBACK 0x80)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    messagesRejected: new Counter({
      name: 'hub_messages_rejected_total',
      help: 'Messages from units refused as malformed, by message kind and reason',
      labelNames: ['kind', 'reason'] as const,
      registers: [registry],
    }),
    clusterResyncs: new Counter({
      name: 'hub_cluster_resyncs_total',
      help: 'Times this hub registered its units in Redis again: Redis came back (redis_back), or its lease had lapsed and another hub took it as dead (lease_lapsed)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    clusterUnitsLost: new Counter({
      name: 'hub_cluster_units_lost_total',
      help: 'Units this hub took offline because the hub they were connected to stopped renewing its lease',
      registers: [registry],
    }),
    positionsReceived: new Counter({ name: 'hub_positions_received_total', help: 'Valid positions received', registers: [registry] }),
    positionsStored: new Counter({ name: 'hub_positions_stored_total', help: 'Positions committed (new rows)', registers: [registry] }),
    positionsDuplicate: new Counter({
      name: 'hub_positions_duplicate_total',
      help: 'Positions already stored (same unit and timestamp), acknowledged and not stored again',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'hub_ingest_batch_size',
      help: 'Positions per database write',
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'hub_ingest_commit_seconds',
      help: 'Time of one batch write, from start to commit',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ackSeconds: new Histogram({
      name: 'hub_mqtt_publish_handled_seconds',
      help: 'From a PUBLISH reaching its hook to its acknowledgement being released (for a position: committed)',
      labelNames: ['kind'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    writeErrors: new Counter({ name: 'hub_ingest_write_errors_total', help: 'Failed batch writes', registers: [registry] }),
    queueDepth: new Gauge({ name: 'hub_ingest_queue_depth', help: 'Positions waiting to be written', registers: [registry] }),
    liveClients: new Gauge({ name: 'hub_live_clients', help: 'Walls connected to the live feed', registers: [registry] }),
    liveBatches: new Counter({ name: 'hub_live_batches_sent_total', help: 'Batches sent to walls', registers: [registry] }),
  };
  return m;
}
export type TelemetryMetrics = ReturnType<typeof createTelemetryMetrics>;
