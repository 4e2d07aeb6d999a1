// The subject registry: who to tell about a plate or a shop. Behind `SubjectDirectory` so that a
// live lookup (the traffic police's or the commerce bureau's service) can stand in for the table.
import type { Subject, SubjectImportReport, SubjectKind, SubjectRef } from '@hub/config';
import { SubjectKindSchema } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { parseCsv } from './csv';
import { SubjectImportError } from './errors';
import { maskPhone, normalizePhone } from './phone';

/** A subject's contact, full number (never to leave the hub unmasked but through the audited route). */
export interface SubjectContact {
  kind: SubjectKind;
  id: string;
  name: string;
  phone: string;
}

/** Who answers for a subject. The table today; a live lookup service tomorrow. */
export interface SubjectDirectory {
  /** the contact, or undefined when the subject is not known */
  lookup(ref: SubjectRef): Promise<SubjectContact | undefined>;
}

/** 粤B 12345, 粤B·12345 and 粤b12345 are one plate; a shop id is kept as given, trimmed. */
export function subjectKey(ref: SubjectRef): string {
  return ref.kind === 'plate' ? ref.id.replace(/[\s·.-]/g, '').toUpperCase() : ref.id.trim();
}

interface SubjectRow {
  kind: SubjectKind;
  id: string;
  name: string;
  phone: string;
  updated_at: Date | string;
}

/** The registry in PostgreSQL (table `subjects`), filled by the CSV import. */
export class TableSubjectDirectory implements SubjectDirectory {
  constructor(private readonly db: Queryable) {}

  async lookup(ref: SubjectRef): Promise<SubjectContact | undefined> {
    const { rows } = await this.db.query<SubjectRow>('SELECT kind, id, name, phone FROM subjects WHERE kind = $1 AND id = $2', [ref.kind, subjectKey(ref)]);
    return rows[0] && { kind: rows[0].kind, id: rows[0].id, name: rows[0].name, phone: rows[0].phone };
  }
}

/** Subjects for the API: phones masked. */
export async function listSubjects(db: Queryable, q: { kind?: SubjectKind; limit: number }): Promise<Subject[]> {
  const { rows } = await db.query<SubjectRow>(`SELECT * FROM subjects WHERE ($1::text IS NULL OR kind = $1) ORDER BY kind, id LIMIT $2`, [q.kind ?? null, q.limit]);
  return rows.map((r) => ({ kind: r.kind, id: r.id, name: r.name, phone: maskPhone(r.phone), updatedAt: toIso(r.updated_at) }));
}

/** The columns of the import file, in any order, named in its header line. */
export const SUBJECT_CSV_COLUMNS = ['kind', 'id', 'name', 'phone'] as const;

/**
 * Imports a data-sharing file: header `kind,id,name,phone` (any order, more columns ignored),
 * one subject per line. Good rows are upserted (a subject's newer line wins); each bad row is
 * reported with its line and reason, and the others are kept.
 */
export async function importSubjects(db: Queryable, csv: string): Promise<SubjectImportReport> {
  const [header, ...records] = parseCsv(csv);
  if (!header) throw new SubjectImportError('the file is empty: it needs a header line kind,id,name,phone and one subject per line');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = SUBJECT_CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) throw new SubjectImportError(`the header line lacks the column(s) ${missing.join(', ')}: it must name kind,id,name,phone`);
  const col = Object.fromEntries(SUBJECT_CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<(typeof SUBJECT_CSV_COLUMNS)[number], number>;
  const rejected: SubjectImportReport['rejected'] = [];
  const good = new Map<string, { line: number; row: SubjectContact }>();
  for (const r of records) {
    const get = (c: keyof typeof col) => (r.fields[col[c]] ?? '').trim();
    const kind = SubjectKindSchema.safeParse(get('kind'));
    const reason = !kind.success
      ? `kind "${get('kind')}" is neither plate nor shop`
      : !get('id')
        ? 'id is empty'
        : get('id').length > 64
          ? 'id is longer than 64 characters'
          : !get('name')
            ? 'name is empty'
            : !normalizePhone(get('phone'))
              ? `phone "${maskPhone(get('phone'))}" is not a mainland mobile (1xxxxxxxxxx) or a landline with its area code`
              : undefined;
    if (reason || !kind.success) {
      rejected.push({ line: r.line, reason: reason! });
      continue;
    }
    const row = { kind: kind.data, id: subjectKey({ kind: kind.data, id: get('id') }), name: get('name').slice(0, 200), phone: normalizePhone(get('phone'))! };
    good.set(`${row.kind}:${row.id}`, { line: r.line, row });
  }
  const rows = [...good.values()].map((g) => g.row);
  if (rows.length) {
    await db.query(
      `INSERT INTO subjects (kind, id, name, phone, updated_at)
       SELECT * , clock_timestamp() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (kind, id) DO UPDATE SET name = EXCLUDED.name, phone = EXCLUDED.phone, updated_at = EXCLUDED.updated_at`,
      [rows.map((r) => r.kind), rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.phone)],
    );
  }
  return { rows: records.length, accepted: rows.length, rejected };
}
