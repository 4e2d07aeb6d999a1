// A light publisher process for bench/wall.ts: one MQTT connection per unit (like
// bench/load-worker.ts), but it publishes only when told to, once every connection is up
// (connecting 20,000 units takes minutes on a loaded machine), and each unit drives a small
// circle so that markers move as vehicles do. Each position's ts is its send time, so the
// page can measure publish → drawn.
import { paceUnits } from './pacing';
import mqtt, { type MqttClient } from 'mqtt';

export type PublisherMessage =
  { type: 'job'; broker: string; units: { id: string; secret: string }[]; centre: { lat: number; lon: number } } | { type: 'go'; rate: number; seconds: number; startAt: number };

export type PublisherReport = { type: 'connected'; connected: number; errors: number } | { type: 'done'; sent: number; acked: number };

let clients: { id: string; client: MqttClient; lat: number; lon: number; r: number; phase: number }[] = [];

async function connectAll(job: Extract<PublisherMessage, { type: 'job' }>): Promise<void> {
  let errors = 0;
  for (let i = 0; i < job.units.length; i += 250) {
    const made = await Promise.all(
      job.units.slice(i, i + 250).map(async (u, k) => {
        try {
          const client = mqtt.connect(job.broker, { username: u.id, password: u.secret, clientId: `wall-bench-${u.id}`, reconnectPeriod: 0, keepalive: 120, connectTimeout: 60_000 });
          // a connection the hub never accepts (out of file descriptors) must not hold up the rest
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no CONNACK in 60 s')), 60_000);
            client.once('connect', () => (clearTimeout(timer), resolve()));
            client.once('error', (err) => (clearTimeout(timer), reject(err)));
          }).catch((err: unknown) => {
            client.end(true);
            throw err;
          });
          client.on('error', () => {});
          // spread over ±0.05° around the centre (the simulated city), circles of 100-400 m
          const n = i + k;
          const a = (n * 2.399963) % (2 * Math.PI);
          const d = Math.sqrt(((n * 7919) % 1000) / 1000) * 0.05;
          return { id: u.id, client, lat: job.centre.lat + d * Math.sin(a), lon: job.centre.lon + d * Math.cos(a), r: 0.001 + ((n * 31) % 30) / 10_000, phase: a };
        } catch {
          errors++;
          return undefined;
        }
      }),
    );
    for (const m of made) if (m) clients.push(m);
  }
  process.send!({ type: 'connected', connected: clients.length, errors } satisfies PublisherReport);
}

async function publish(go: Extract<PublisherMessage, { type: 'go' }>): Promise<void> {
  let sent = 0;
  let acked = 0;
  await paceUnits(clients.length, { startAt: go.startAt, seconds: go.seconds, rate: go.rate }, (i, now) => {
    const c = clients[i]!;
    const w = (now / 60_000) * 2 * Math.PI + c.phase; // one lap a minute
    const lat = c.lat + c.r * Math.sin(w);
    const lon = c.lon + c.r * Math.cos(w);
    const heading = ((((-w * 180) / Math.PI) % 360) + 360) % 360;
    const payload = `{"unitId":"${c.id}","ts":${now},"lat":${lat.toFixed(6)},"lon":${lon.toFixed(6)},"speed":8.3,"heading":${heading.toFixed(0)},"accuracy":5}`;
    sent++;
    c.client.publish(`units/${c.id}/gps`, payload, { qos: 1 }, (err) => {
      if (!err) acked++;
    });
  });
  await new Promise((r) => setTimeout(r, 2000));
  process.send!({ type: 'done', sent, acked } satisfies PublisherReport);
  await Promise.all(clients.map(({ client }) => client.endAsync(true).catch(() => {})));
  clients = [];
  process.exit(0);
}

process.on('message', (m: PublisherMessage) => {
  const run = m.type === 'job' ? connectAll(m) : publish(m);
  run.catch((err: unknown) => {
    console.error('wall publisher:', err);
    process.exit(1);
  });
});
