// The hub's WHIP/WHEP routes alone, on a router the test chose, for the agent's video tests.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { whipWhep, type Router } from '@hub/media-server';

/** Serves WHIP/WHEP for `router` on 127.0.0.1, taking only `token`; `base` is its URL. */
export async function startWhipServer(router: Router, token: string): Promise<{ app: FastifyInstance; base: string }> {
  const app = Fastify();
  await app.register(whipWhep, { router, authorize: (t) => t === token });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
