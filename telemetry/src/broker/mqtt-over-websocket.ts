// MQTT over WebSocket on the hub's HTTP port, for browsers (body-cam page). Only the
// configured path is taken; every other upgrade (socket.io's) is left to its owner.
import type { Server as HttpServer } from 'node:http';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { UnitBroker } from './unit-broker';

export function attachMqttOverWebSocket(server: HttpServer, path: string, broker: UnitBroker): () => Promise<void> {
  // ws buffers a whole message before handing it on, and refuses (close 1009) one whose
  // header declares more than maxPayload. A message may carry a few MQTT packets, so allow
  // some over the packet limit; the packet guard behind it then holds each packet to it.
  const maxPayload = Math.max(broker.packetLimit * 4, 64 * 1024);
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const onUpgrade = (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://hub').pathname;
    if (pathname !== path) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', (err: Error & { code?: string }) => {
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') broker.refusedOversizedMessage(req, maxPayload);
        ws.terminate();
      });
      broker.handle(stream, req, 'ws');
    });
  };
  server.on('upgrade', onUpgrade);
  return async () => {
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  };
}
