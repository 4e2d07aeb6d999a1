// /api/subjects: the registry (CSV import, list with masked phones, an admin's audited view of a
// full number); /api/notices/cases: a case with its texts, an operator's confirmation.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorSchema, NoticeCaseParamsSchema, NoticeCaseSchema, SubjectContactSchema, SubjectImportReportSchema, SubjectKeyParamsSchema, SubjectKindSchema, SubjectSchema } from '@hub/config';
import { ADMIN_OPERATOR, recordAudit, requireRole } from '@hub/identity';
import type { ApiContext } from '@hub/telemetry';
import { NoticeCaseNotFoundError, SubjectNotFoundError } from '../errors';
import type { NoticeLoop } from '../loop';
import { getCase } from '../store';
import { importSubjects, listSubjects, TableSubjectDirectory } from '../subjects';

export interface NoticeApiContext extends ApiContext {
  loop: NoticeLoop;
}

/** a city's file of a few hundred thousand plates fits; default body limit is 1 MiB */
const CSV_MAX_BYTES = 64 * 1024 * 1024;
const actorOf = (request: { operator?: string }) => request.operator ?? ADMIN_OPERATOR;

export const noticeRoutes: FastifyPluginAsyncZod<NoticeApiContext> = async (app, { db, loop }) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_MAX_BYTES }, (_req, body, done) => done(null, body));

  app.post(
    '/subjects/import',
    {
      preHandler: requireRole('admin'),
      bodyLimit: CSV_MAX_BYTES,
      schema: {
        tags: ['subjects'],
        summary: 'Import subjects from a data-sharing file (text/csv: kind,id,name,phone); good rows upserted, bad rows reported with their line',
        body: z.string(),
        response: { 200: SubjectImportReportSchema, 400: ApiErrorSchema },
      },
    },
    async (request) => {
      const report = await importSubjects(db, request.body);
      await recordAudit(db, { actor: actorOf(request), action: 'subjects_imported', detail: { rows: report.rows, accepted: report.accepted, rejected: report.rejected.length } });
      request.log.info({ rows: report.rows, accepted: report.accepted, rejected: report.rejected.length }, 'subjects imported');
      return report;
    },
  );

  app.get(
    '/subjects',
    {
      preHandler: requireRole('coordinator'),
      schema: {
        tags: ['subjects'],
        summary: 'Subjects (phones masked: 138****1234)',
        querystring: z.object({ kind: SubjectKindSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: SubjectSchema.array() },
      },
    },
    async (request) => listSubjects(db, request.query),
  );

  app.get(
    '/subjects/:kind/:id/contact',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['subjects'],
        summary: 'A subject’s full phone number (admin; every view is in the audit log)',
        params: SubjectKeyParamsSchema,
        response: { 200: SubjectContactSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const { kind, id } = request.params;
      const contact = await new TableSubjectDirectory(db).lookup({ kind, id });
      if (!contact) throw new SubjectNotFoundError(kind, id);
      await recordAudit(db, { actor: actorOf(request), action: 'subject_phone_viewed', target: `subject:${kind}:${contact.id}`, detail: { ip: request.ip } });
      return contact;
    },
  );

  app.get(
    '/notices/cases/:incidentId',
    {
      preHandler: requireRole('viewer'),
      schema: { tags: ['notices'], summary: 'The notice case of an incident and its texts (phones masked)', params: NoticeCaseParamsSchema, response: { 200: NoticeCaseSchema, 404: ApiErrorSchema } },
    },
    async (request) => {
      const found = await getCase(db, request.params.incidentId);
      if (!found) throw new NoticeCaseNotFoundError(request.params.incidentId);
      return found;
    },
  );

  app.post(
    '/notices/cases/:incidentId/confirm',
    {
      preHandler: requireRole('coordinator'),
      schema: {
        tags: ['notices'],
        summary: 'Confirm from the camera that the subject is still there after its grace period: escalates the case',
        params: NoticeCaseParamsSchema,
        response: { 200: NoticeCaseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      await loop.confirm(request.params.incidentId, actorOf(request));
      return (await getCase(db, request.params.incidentId))!;
    },
  );
};
