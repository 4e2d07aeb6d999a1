// A WHIP/WHEP server on loopback for the media tests: a werift router (or the one `create`
// makes) behind Fastify, one bearer token, and a cleanup list run in reverse at close.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WeriftRouter, whipWhep, type Router, type TransportOptions } from '../../src';

export interface WhipServer<R extends Router = WeriftRouter> {
  router: R;
  app: FastifyInstance;
  /** http://127.0.0.1:port */
  base: string;
  /** things to stop at close (peers, publishers), last added first */
  cleanup: (() => unknown)[];
  close(): Promise<void>;
}

export interface WhipServerOptions<R extends Router> {
  token: string;
  router?: TransportOptions;
  /** another engine's router; default a WeriftRouter with `router`'s options */
  create?: () => Promise<R>;
  maxViewers?: number;
  corsOrigins?: string[];
}

export async function startWhipServer<R extends Router = WeriftRouter>(opts: WhipServerOptions<R>): Promise<WhipServer<R>> {
  const router = opts.create ? await opts.create() : (new WeriftRouter({ additionalHostAddresses: ['127.0.0.1'], ...opts.router }) as unknown as R);
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

/**
 * The file's server, started in beforeAll and closed in afterAll. Its fields are read through
 * getters, so a test names `server.base` where it needs the address.
 */
export function useWhipServer<R extends Router = WeriftRouter>(opts: WhipServerOptions<R>): WhipServer<R> {
  let server: WhipServer<R> | undefined;
  beforeAll(async () => {
    server = await startWhipServer(opts);
  });
  afterAll(() => server?.close());
  const started = (): WhipServer<R> => {
    if (!server) throw new Error('the WHIP server is not started yet: use it inside a test');
    return server;
  };
  return {
    get router() {
      return started().router;
    },
    get app() {
      return started().app;
    },
    get base() {
      return started().base;
    },
    get cleanup() {
      return started().cleanup;
    },
    close: () => started().close(),
  };
}
