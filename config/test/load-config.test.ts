import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '@hub/config/node';

describe('loadConfig', () => {
  it('gives every default with no file and no environment', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.http.port).toBe(8080);
    expect(cfg.mqtt.port).toBe(1883);
    expect(cfg.database.url).toBeUndefined();
    expect(cfg.alarms.overspeedKmh.vehicle).toBe(80);
  });

  it('lets the environment override the file, field by field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9000 }, ingest: { maxBatch: 100 } }));
    const cfg = loadConfig({
      file,
      env: { HUB_INGEST__MAX_BATCH: '250', DATABASE_URL: 'postgres://u:p@db:5432/hub' },
    });
    expect(cfg.http.port).toBe(9000);
    expect(cfg.ingest.maxBatch).toBe(250);
    expect(cfg.database.url).toBe('postgres://u:p@db:5432/hub');
  });

  it('stops with a message that names the bad field and where to set it', () => {
    expect(() => loadConfig({ env: { HUB_HTTP__PORT: 'eighty' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { HUB_HTTP__PORT: 'eighty' } })).toThrow(/http\.port: .*HUB_HTTP__PORT/s);
    expect(() => loadConfig({ env: { HUB_ALARMS__OVERSPEED_KMH__VEHICLE: '-3' } })).toThrow(/alarms\.overspeedKmh\.vehicle/);
  });

  it('names a config file that is not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'hub.json');
    writeFileSync(file, '{ http: ');
    expect(() => loadConfig({ file, env: {} })).toThrow(new RegExp(`${file} is not valid JSON`));
  });
});
