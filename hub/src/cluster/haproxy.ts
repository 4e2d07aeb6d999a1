// The load balancer in front of a cluster of hubs (README: "Several hubs"): HAProxy, as in
// docker-compose.yml. HTTP (the REST API, socket.io over WebSocket only, MQTT over WebSocket)
// and the TCP ports (MQTT, JT/T 808) go to any live hub; no stickiness is needed since the wall's
// socket.io client uses WebSocket alone and every hub serves every wall. A hub that stops
// answering is taken out within about two seconds (check inter 1s fall 2).

export interface HubAddress {
  name: string;
  host: string;
  httpPort: number;
  mqttPort: number;
  jt808Port: number;
}

export interface Frontends {
  httpPort: number;
  mqttPort: number;
  jt808Port: number;
}

export function haproxyConfig(hubs: readonly HubAddress[], front: Frontends, bind = '0.0.0.0'): string {
  const servers = (port: (h: HubAddress) => number, check: string) => hubs.map((h) => `  server ${h.name} ${h.host}:${port(h)} ${check}`);
  return [
    'global',
    // each proxied connection holds two descriptors; this machine's limit is 20,000 (README: Several hubs)
    '  maxconn 9000',
    'defaults',
    '  timeout connect 5s',
    // long-lived links: MQTT keepalives, WebSockets, JT/T 808 heartbeats (the hub's own idle timeouts rule)
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    '',
    'frontend http',
    `  bind ${bind}:${front.httpPort}`,
    '  mode http',
    '  option forwardfor', // the hub takes X-Forwarded-For from this proxy only if named in http.trustProxy
    '  default_backend hubs_http',
    'backend hubs_http',
    '  mode http',
    '  balance roundrobin',
    '  option httpchk GET /health',
    ...servers((h) => h.httpPort, 'check inter 1s fall 2 rise 1'),
    '',
    'frontend mqtt',
    `  bind ${bind}:${front.mqttPort}`,
    '  mode tcp',
    '  default_backend hubs_mqtt',
    'backend hubs_mqtt',
    '  mode tcp',
    '  balance leastconn',
    ...servers((h) => h.mqttPort, 'check inter 1s fall 2 rise 1'),
    '',
    'frontend jt808',
    `  bind ${bind}:${front.jt808Port}`,
    '  mode tcp',
    '  default_backend hubs_jt808',
    'backend hubs_jt808',
    '  mode tcp',
    '  balance leastconn',
    ...servers((h) => h.jt808Port, 'check inter 1s fall 2 rise 1'),
    '',
  ].join('\n');
}
