// The pages the hub serves: the built wall at `/`, the body cam at `/bodycam`, the viewer,
// KPI, department assessment and replay pages, and the hub's index page at `/hub`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { HubConfig } from '@hub/config';
import { homePage } from './home-page';

const wallDist = fileURLToPath(new URL('../../wall-ui/dist', import.meta.url));

/** The built wall at `/`, the body-cam page at `/bodycam`; the hub's index page at `/hub`. Not encapsulated: the static wildcard sits at the root. */
export async function wallPages(app: FastifyInstance, { config }: { config: HubConfig }): Promise<void> {
  app.get('/hub', async (_req, reply) => reply.type('text/html').send(homePage(config)));
  if (!existsSync(`${wallDist}/index.html`)) {
    // not built (a test that starts the hub without the test setup): say how to build it
    app.get('/', async (_req, reply) => reply.type('text/html').send(homePage(config, 'The wall is not built: run <code>node --import tsx wall-ui/scripts/build.ts</code>.')));
    return;
  }
  await app.register(fastifyStatic, { root: wallDist, prefix: '/', index: ['index.html'], wildcard: true });
  app.get('/bodycam', async (_req, reply) => reply.sendFile('bodycam.html'));
  app.get('/viewer', async (_req, reply) => reply.sendFile('viewer.html'));
  app.get('/kpi', async (_req, reply) => reply.sendFile('kpi.html'));
  app.get('/assessment', async (_req, reply) => reply.sendFile('assessment.html'));
  app.get('/replay', async (_req, reply) => reply.sendFile('replay.html'));
}
