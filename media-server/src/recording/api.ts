// /api/recordings: list recordings, a recording's segments with their hashes, its HLS
// playlist and segment files, and start/stop for operators. Register under no prefix.
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorSchema, RecordingIdParamsSchema, RecordingListQuerySchema, RecordingSchema, RecordingSegmentFileParamsSchema, RecordingSegmentSchema, RecordingStartSchema } from '@hub/config';
import { errorHandler, storableValidatorCompiler } from '@hub/platform';
import { RecordingNotFoundError, SegmentNotFoundError } from './errors';
import type { Recorder } from './recorder';

export interface RecordingApiOptions {
  recorder: Recorder;
  /** onRequest hook that refuses a request without an operator credential (it throws or replies) */
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** preHandler of start and stop, after `authorize`: refuses an operator whose role may not (it throws); default none */
  control?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** who asks, as the recorder's `start`/`end` events name them (the audit log); default "operator" */
  actorOf?: (request: FastifyRequest) => string | undefined;
  /** in a cluster, a segment file another hub's disk holds (the hub that recorded it); undefined when none does */
  segmentElsewhere?: (recordingId: string, seq: number) => Promise<{ body: AsyncIterable<Uint8Array>; bytes: string | null; etag: string | null } | undefined>;
}

type RoutesOptions = Pick<RecordingApiOptions, 'recorder' | 'control' | 'actorOf' | 'segmentElsewhere'>;

const tags = ['recordings'];

const routes: FastifyPluginAsyncZod<RoutesOptions> = async (app, { recorder, control, actorOf, segmentElsewhere }) => {
  const by = (request: FastifyRequest) => actorOf?.(request) ?? 'operator';

  app.get(
    '/recordings',
    {
      schema: { tags, summary: 'List recordings, newest first', querystring: RecordingListQuerySchema, response: { 200: RecordingSchema.array(), 400: ApiErrorSchema } },
    },
    async (request) => recorder.list(request.query),
  );

  app.post(
    '/recordings',
    {
      preHandler: control,
      schema: {
        tags,
        summary: 'Start recording a stream (it may go live later); the same stream and incident again returns the running recording',
        body: RecordingStartSchema,
        response: { 201: RecordingSchema, 400: ApiErrorSchema, 403: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const { streamId, unitId, ...opts } = request.body;
      // a unit id alone names the unit's stream
      const actor = by(request);
      return reply.code(201).send(await recorder.start((streamId ?? unitId)!, streamId ? { ...opts, unitId, by: actor } : { ...opts, by: actor }));
    },
  );

  app.get(
    '/recordings/:id',
    {
      schema: { tags, summary: 'One recording', params: RecordingIdParamsSchema, response: { 200: RecordingSchema, 404: ApiErrorSchema } },
    },
    async (request) => {
      const recording = await recorder.get(request.params.id);
      if (!recording) throw new RecordingNotFoundError(request.params.id);
      return recording;
    },
  );

  app.post(
    '/recordings/:id/stop',
    {
      preHandler: control,
      schema: {
        tags,
        summary: 'Stop a recording: its last segment is closed and indexed before the answer',
        params: RecordingIdParamsSchema,
        response: { 200: RecordingSchema, 403: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const [stopped] = await recorder.stop(request.params.id, { by: by(request) });
      if (stopped) return stopped;
      const recording = await recorder.get(request.params.id); // already ended: nothing to do
      if (!recording) throw new RecordingNotFoundError(request.params.id);
      return recording;
    },
  );

  app.get(
    '/recordings/:id/segments',
    {
      schema: { tags, summary: "A recording's segments, with each file's SHA-256", params: RecordingIdParamsSchema, response: { 200: RecordingSegmentSchema.array(), 404: ApiErrorSchema } },
    },
    async (request) => recorder.segments(request.params.id),
  );

  app.get(
    '/recordings/:id/index.m3u8',
    {
      schema: { tags, summary: 'HLS playlist (VOD once ended), EXT-X-PROGRAM-DATE-TIME on every segment', params: RecordingIdParamsSchema, response: { 200: z.string(), 404: ApiErrorSchema } },
    },
    async (request, reply) =>
      reply
        .type('application/vnd.apple.mpegurl')
        .header('cache-control', 'no-cache')
        .send(await recorder.playlist(request.params.id)),
  );

  app.get(
    '/recordings/:id/segments/:file',
    {
      schema: { tags, summary: 'A segment file (MPEG-TS)', params: RecordingSegmentFileParamsSchema },
    },
    async (request, reply) => {
      const seq = Number.parseInt(request.params.file, 10);
      const local = await recorder.segmentFile(request.params.id, seq).catch(async (err: unknown) => {
        // recorded by another hub of the cluster: its file comes from that hub's disk
        const elsewhere = err instanceof SegmentNotFoundError ? await segmentElsewhere?.(request.params.id, seq) : undefined;
        if (!elsewhere) throw err;
        return elsewhere;
      });
      if (!('file' in local)) {
        if (local.bytes) void reply.header('content-length', local.bytes);
        if (local.etag) void reply.header('etag', local.etag);
        return reply.type('video/mp2t').header('cache-control', 'private, max-age=31536000, immutable').send(Readable.from(local.body));
      }
      const { file, bytes, sha256 } = local;
      // a closed segment never changes: cache it for good
      return reply.type('video/mp2t').header('content-length', bytes).header('cache-control', 'private, max-age=31536000, immutable').header('etag', `"${sha256}"`).send(createReadStream(file));
    },
  );
};

/** Not wrapped in fastify-plugin: the zod compilers and the error handler stay in this scope. */
export async function recordingApi(app: FastifyInstance, opts: RecordingApiOptions): Promise<void> {
  app.setValidatorCompiler(storableValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler); // the hub's one mapping: codes, schema failures, 503 while the database is away
  app.addHook('onRequest', opts.authorize);
  await app.register(routes, { prefix: '/api', recorder: opts.recorder, control: opts.control, actorOf: opts.actorOf, segmentElsewhere: opts.segmentElsewhere });
}
