// `npm start`: the hub on its embedded defaults (config file and HUB_* variables override).
import { ConfigError, loadConfig } from '@hub/config/node';
import { buildWall } from '@hub/wall-ui';
import { startHub } from './hub';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`The hub cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // the wall and body-cam pages, rebuilt only when a source changed since the last build
  await buildWall({ quiet: true });
  const hub = await startHub(config);
  const { adminToken } = hub;
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const lines = [
    '',
    `  Hub ready: http://${host}:${hub.httpPort}/  (API docs at /docs, health at /health)`,
    `  MQTT: mqtt://${host}:${hub.mqttPort}  and  ws://${host}:${hub.httpPort}${config.mqtt.wsPath}`,
    `  Database: ${config.database.url ? 'external (DATABASE_URL)' : `embedded PostgreSQL in ${config.dataDir}/postgres`}${hub.timescale ? ', TimescaleDB' : ''}`,
  ];
  if (adminToken.source === 'generated') {
    lines.push(`  Admin token (generated now, saved in ${adminToken.file}; shown only this once):`, `    ${adminToken.token}`);
  } else if (adminToken.source === 'file') {
    lines.push(`  Admin token: in ${adminToken.file}`);
  }
  process.stdout.write(lines.join('\n') + '\n\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.log.info({ signal }, 'stopping');
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`The hub failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
