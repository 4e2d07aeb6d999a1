// OpenAPI document of the API at /docs/json, and its browsable UI at /docs. Public: it holds no data.
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Where the UI is served; the document is at `${DOCS_PREFIX}/json`. */
export const DOCS_PREFIX = '/docs';

/** Registers the OpenAPI generator on `app`: it documents the routes registered after it in this context. */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      // 3.1 so that JSON Schema 2020-12 (tuples such as [lon, lat]) is written as it is.
      openapi: '3.1.0',
      info: {
        title: 'City monitoring hub API',
        description:
          'Units, positions, tracks, geofences, alarms, incidents, operators and, on a hub with the media role, video streams (WHIP/WHEP) and recordings. Every /api route needs `Authorization: Bearer <token>`: an operator session token from POST /api/auth/login, or the admin token.',
        version: '0.1.0',
      },
      tags: [
        { name: 'units', description: 'vehicles and body cams, and their MQTT credentials' },
        { name: 'positions', description: 'latest positions and tracks' },
        { name: 'geofences', description: 'areas whose entry or exit raises an alarm' },
        { name: 'alarms', description: 'alarms and their acknowledgement' },
        { name: 'recordings', description: 'recorded video (HLS) with SHA-256 hashed segments' },
      ],
      components: {
        securitySchemes: { operatorToken: { type: 'http', scheme: 'bearer', description: 'an operator session token (POST /api/auth/login), or the admin token from the hub configuration' } },
      },
      security: [{ operatorToken: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
}
