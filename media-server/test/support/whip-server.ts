// A WHIP/WHEP server on loopback for the media tests: a werift router behind Fastify, one
// bearer token, and a cleanup list run in reverse at close.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { WeriftRouter, whipWhep, type TransportOptions } from '../../src';

export interface WhipServer {
  router: WeriftRouter;
  app: FastifyInstance;
  /** http://127.0.0.1:port */
  base: string;
  /** things to stop at close (peers, publishers), last added first */
  cleanup: (() => unknown)[];
  close(): Promise<void>;
}

export async function startWhipServer(opts: { token: string; router?: TransportOptions; maxViewers?: number; corsOrigins?: string[] }): Promise<WhipServer> {
  const router = new WeriftRouter({ additionalHostAddresses: ['127.0.0.1'], ...opts.router });
  const app = Fastify();
  await app.register(whipWhep, { router, authorize: (t) => t === opts.token, maxViewers: opts.maxViewers, corsOrigins: opts.corsOrigins });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const cleanup: (() => unknown)[] = [];
  return {
    router,
    app,
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    cleanup,
    async close() {
      for (const fn of cleanup.splice(0).reverse()) await fn();
      router.close();
      await app.close();
    },
  };
}
