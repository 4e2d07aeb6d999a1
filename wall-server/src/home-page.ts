import type { HubConfig } from '@hub/config';

/** The hub's front page until the wall UI is served here: where everything is. */
export function homePage(config: HubConfig, notice?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Monitoring hub</title>
<style>body{font:16px system-ui,sans-serif;margin:2rem;max-width:48rem}code{background:#eee;padding:0 .3em}</style></head>
<body><h1>City monitoring hub</h1>${notice ? `<p><strong>${notice}</strong></p>` : ''}
<p><a href="/">The wall</a> · <a href="/bodycam">Body-cam page</a></p>
<ul>
<li><a href="/docs">REST API (OpenAPI)</a> — every <code>/api</code> call needs <code>Authorization: Bearer &lt;admin token&gt;</code></li>
<li><a href="/health">Health</a> · <a href="/metrics">Metrics (Prometheus)</a></li>
<li>MQTT: TCP port ${config.mqtt.port}; WebSocket path <code>${config.mqtt.wsPath}</code> on this port</li>
<li>Live feed: socket.io on this port, event <code>batch</code></li>
</ul></body></html>`;
}
