// The packages are named plugins that say what they need: registered without it, the hub
// refuses to start and names the missing plugin (fastify-plugin `dependencies`).
import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { alarmsPlugin } from '@hub/alarms';
import { incidentsPlugin } from '@hub/incidents';
import { loadConfig } from '@hub/config/node';

const config = loadConfig({ env: {}, overrides: {} });
const log = pino({ level: 'silent' });
const db = { query: async () => ({ rows: [] }) };

describe('the hub’s plugins', () => {
  it('refuse to start without the plugins they depend on, naming them', async () => {
    const alone = Fastify();
    await expect(alone.register(alarmsPlugin, { db, config: config.alarms, log })).rejects.toThrow(/telemetry/);
    await alone.close();
    const incidents = Fastify();
    await expect(incidents.register(incidentsPlugin, { db, linkage: config.linkage, dataDir: '/tmp', log, sendCommand: async () => {} })).rejects.toThrow(/telemetry/);
    await incidents.close();
  });
});
