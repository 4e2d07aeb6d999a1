// Departments and the department each case is with, in PostgreSQL.
import type { Department, DepartmentCase, DepartmentInput } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso, toIsoOrNull, toJson } from '@hub/platform';
import { DepartmentInUseError, DepartmentNameTakenError, DepartmentNotFoundError } from './errors';

interface DepartmentRow {
  id: number | string;
  name: string;
  kind: Department['kind'];
  districts: string[];
  case_types: string[];
  deadlines: unknown;
  quota: unknown;
  created_at: Date | string;
  updated_at: Date | string;
}

const toDepartment = (r: DepartmentRow): Department => ({
  id: Number(r.id),
  name: r.name,
  kind: r.kind,
  districts: r.districts,
  caseTypes: r.case_types,
  deadlines: toJson<Record<string, number>>(r.deadlines) ?? {},
  quota: toJson<Department['quota']>(r.quota) ?? {},
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const UNIQUE_VIOLATION = '23505';
async function unique<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new DepartmentNameTakenError(name);
    throw err;
  }
}

export async function anyDepartment(db: Queryable): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM departments LIMIT 1');
  return rows.length > 0;
}

export async function listDepartments(db: Queryable): Promise<Department[]> {
  const { rows } = await db.query<DepartmentRow>('SELECT * FROM departments ORDER BY id');
  return rows.map(toDepartment);
}

export async function getDepartment(db: Queryable, id: number): Promise<Department> {
  const { rows } = await db.query<DepartmentRow>('SELECT * FROM departments WHERE id = $1', [id]);
  if (!rows[0]) throw new DepartmentNotFoundError(id);
  return toDepartment(rows[0]);
}

export function insertDepartment(db: Queryable, d: DepartmentInput): Promise<Department> {
  return unique(d.name, async () => {
    const { rows } = await db.query<DepartmentRow>(`INSERT INTO departments (name, kind, districts, case_types, deadlines, quota) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`, [
      d.name,
      d.kind,
      d.districts,
      d.caseTypes,
      JSON.stringify(d.deadlines),
      JSON.stringify(d.quota),
    ]);
    return toDepartment(rows[0]!);
  });
}

export function updateDepartment(db: Queryable, id: number, d: DepartmentInput): Promise<Department> {
  return unique(d.name, async () => {
    const { rows } = await db.query<DepartmentRow>(
      `UPDATE departments SET name = $2, kind = $3, districts = $4, case_types = $5, deadlines = $6, quota = $7, updated_at = clock_timestamp() WHERE id = $1 RETURNING *`,
      [id, d.name, d.kind, d.districts, d.caseTypes, JSON.stringify(d.deadlines), JSON.stringify(d.quota)],
    );
    if (!rows[0]) throw new DepartmentNotFoundError(id);
    return toDepartment(rows[0]);
  });
}

export async function deleteDepartment(db: Queryable, id: number): Promise<Department> {
  const d = await getDepartment(db, id);
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM department_cases WHERE department_id = $1 OR overdue_department_id = $1', [id]);
  if (Number(rows[0]!.n) > 0) throw new DepartmentInUseError(id, Number(rows[0]!.n));
  await db.query('DELETE FROM departments WHERE id = $1', [id]);
  return d;
}

/**
 * The department that answers for a case at a place. `caseTypes` is most specific first
 * (`hotline:noise`, then `hotline`); among departments for the same type one that names the
 * district comes before one that covers the whole city (no districts); the oldest first.
 */
export async function departmentFor(db: Queryable, caseTypes: readonly string[], district: string | null): Promise<{ id: number; name: string; deadlines: Record<string, number> } | undefined> {
  const { rows } = await db.query<DepartmentRow>(`SELECT * FROM departments WHERE case_types && $1::text[] AND (cardinality(districts) = 0 OR $2::text = ANY (districts)) ORDER BY id`, [
    caseTypes,
    district,
  ]);
  const rank = (r: DepartmentRow) => Math.min(...r.case_types.map((t) => caseTypes.indexOf(t)).filter((i) => i >= 0)) * 2 + (r.districts.length === 0 ? 1 : 0);
  const best = rows.sort((a, b) => rank(a) - rank(b) || Number(a.id) - Number(b.id))[0];
  return best && { id: Number(best.id), name: best.name, deadlines: toJson<Record<string, number>>(best.deadlines) ?? {} };
}

interface CaseRow {
  incident_id: number | string;
  department_id: number | string;
  name: string;
  routed_by: DepartmentCase['routedBy'];
  routed_at: Date | string;
  due_at: Date | string;
  overdue_at: Date | string | null;
  overdue_department_id: number | string | null;
}

const toCase = (r: CaseRow): DepartmentCase => ({
  incidentId: Number(r.incident_id),
  departmentId: Number(r.department_id),
  departmentName: r.name,
  routedBy: r.routed_by,
  routedAt: toIso(r.routed_at),
  dueAt: toIso(r.due_at),
  overdueAt: toIsoOrNull(r.overdue_at),
  overdueDepartmentId: r.overdue_department_id === null ? null : Number(r.overdue_department_id),
});

export async function getCase(db: Queryable, incidentId: number, lock = false): Promise<DepartmentCase | undefined> {
  const { rows } = await db.query<CaseRow>(`SELECT c.*, d.name FROM department_cases c JOIN departments d ON d.id = c.department_id WHERE c.incident_id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`, [
    incidentId,
  ]);
  return rows[0] && toCase(rows[0]);
}

/** The case's department and deadline (seconds from the incident's opening). */
export async function insertCase(tx: Queryable, incidentId: number, departmentId: number, deadlineSeconds: number): Promise<DepartmentCase> {
  await tx.query(
    `INSERT INTO department_cases (incident_id, department_id, routed_by, due_at)
     SELECT id, $2, 'routing', created_at + make_interval(secs => $3) FROM incidents WHERE id = $1`,
    [incidentId, departmentId, deadlineSeconds],
  );
  return (await getCase(tx, incidentId))!;
}

/** Open cases whose overdue escalation is still to come: each hub wakes for them. */
export async function casesAwaitingDeadline(db: Queryable): Promise<{ incidentId: number; dueAt: Date }[]> {
  const { rows } = await db.query<{ incident_id: string; due_at: Date }>(
    `SELECT c.incident_id, c.due_at FROM department_cases c JOIN incidents i ON i.id = c.incident_id
      WHERE c.overdue_at IS NULL AND i.state IN ('reported', 'dispatched', 'en_route', 'on_scene')`,
  );
  return rows.map((r) => ({ incidentId: Number(r.incident_id), dueAt: r.due_at }));
}
