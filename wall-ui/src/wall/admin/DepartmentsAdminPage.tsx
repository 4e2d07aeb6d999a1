// Admin: the departments that answer for cases (issue 16). List, add, edit in place (name, kind,
// districts, case types, a deadline per case type, quotas per day and month), delete after a
// confirmation in the row. The hub audits each change (department_created|changed|deleted) and
// refuses to delete one with cases (HUB_ERR_DEPARTMENT_IN_USE).
import { useEffect, useState } from 'react';
import type { Department, DepartmentInput, DepartmentQuota } from '@hub/config';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import { AdminMessage, AdminTable, EditRow } from './AdminTable';
import './admin.css';

type Kind = Department['kind'];
/** One period's quota as typed: percent, a count, minutes; empty = not assessed. */
interface QuotaForm {
  inTimePercent: string;
  maxOverdue: string;
  maxMedianMinutes: string;
}
interface DepartmentForm {
  name: string;
  kind: Kind;
  districts: string;
  caseTypes: string;
  /** minutes by case type; empty = the hub's deadline */
  deadlines: Record<string, string>;
  day: QuotaForm;
  month: QuotaForm;
}

const NO_QUOTA: QuotaForm = { inTimePercent: '', maxOverdue: '', maxMedianMinutes: '' };
const EMPTY: DepartmentForm = { name: '', kind: 'unit', districts: '', caseTypes: '', deadlines: {}, day: NO_QUOTA, month: NO_QUOTA };
const list = (s: string) => [
  ...new Set(
    s
      .split(/[,，;；\n]/)
      .map((x) => x.trim())
      .filter(Boolean),
  ),
];
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
const str = (n: number | undefined, scale = 1) => (n === undefined ? '' : String(Math.round((n / scale) * 100) / 100));

function toQuota(q: QuotaForm): DepartmentQuota | undefined {
  const inTime = num(q.inTimePercent);
  const quota: DepartmentQuota = {
    ...(inTime !== undefined ? { inTimeRate: inTime / 100 } : {}),
    ...(num(q.maxOverdue) !== undefined ? { maxOverdue: num(q.maxOverdue) } : {}),
    ...(num(q.maxMedianMinutes) !== undefined ? { maxResolveMedianSeconds: num(q.maxMedianMinutes)! * 60 } : {}),
  };
  return Object.keys(quota).length ? quota : undefined;
}

const fromQuota = (q: DepartmentQuota | undefined): QuotaForm => ({
  inTimePercent: str(q?.inTimeRate, 0.01),
  maxOverdue: str(q?.maxOverdue),
  maxMedianMinutes: str(q?.maxResolveMedianSeconds, 60),
});

function toInput(f: DepartmentForm): DepartmentInput {
  const caseTypes = list(f.caseTypes);
  const deadlines = Object.fromEntries(caseTypes.flatMap((c) => (num(f.deadlines[c] ?? '') !== undefined ? [[c, num(f.deadlines[c]!)! * 60]] : [])));
  const day = toQuota(f.day);
  const month = toQuota(f.month);
  return { name: f.name.trim(), kind: f.kind, districts: list(f.districts), caseTypes, deadlines, quota: { ...(day ? { day } : {}), ...(month ? { month } : {}) } };
}

const fromDepartment = (d: Department): DepartmentForm => ({
  name: d.name,
  kind: d.kind,
  districts: d.districts.join(', '),
  caseTypes: d.caseTypes.join(', '),
  deadlines: Object.fromEntries(Object.entries(d.deadlines).map(([c, s]) => [c, str(s, 60)])),
  day: fromQuota(d.quota.day),
  month: fromQuota(d.quota.month),
});

function QuotaFields({ label, value, onChange, testId }: { label: string; value: QuotaForm; onChange(q: QuotaForm): void; testId: string }) {
  const t = useT();
  const field = (key: keyof QuotaForm, placeholder: string, max?: number) => (
    <input
      type="number"
      min={0}
      max={max}
      step="any"
      value={value[key]}
      onChange={(e) => onChange({ ...value, [key]: e.target.value })}
      placeholder={placeholder}
      aria-label={`${label}: ${placeholder}`}
      className="narrow"
      data-testid={`${testId}-${key}`}
    />
  );
  return (
    <fieldset className="admin-fieldset">
      <legend>{label}</legend>
      {field('inTimePercent', t('admin.departments.inTimeRate'), 100)}
      {field('maxOverdue', t('admin.departments.maxOverdue'))}
      {field('maxMedianMinutes', t('admin.departments.maxMedian'))}
    </fieldset>
  );
}

function DepartmentFields({ form, onChange, prefix }: { form: DepartmentForm; onChange(f: DepartmentForm): void; prefix: string }) {
  const t = useT();
  const types = list(form.caseTypes);
  return (
    <>
      <input value={form.name} onChange={(e) => onChange({ ...form, name: e.target.value })} placeholder={t('admin.departments.name')} required maxLength={100} data-testid={`${prefix}-name`} />
      <select value={form.kind} onChange={(e) => onChange({ ...form, kind: e.target.value as Kind })} aria-label={t('admin.departments.kind')} data-testid={`${prefix}-kind`}>
        <option value="unit">{t('admin.departments.kind.unit')}</option>
        <option value="agency">{t('admin.departments.kind.agency')}</option>
      </select>
      <input
        value={form.districts}
        onChange={(e) => onChange({ ...form, districts: e.target.value })}
        placeholder={t('admin.departments.districts')}
        className="wide"
        data-testid={`${prefix}-districts`}
      />
      <input
        value={form.caseTypes}
        onChange={(e) => onChange({ ...form, caseTypes: e.target.value })}
        placeholder={t('admin.departments.caseTypes')}
        required
        className="wide"
        data-testid={`${prefix}-case-types`}
      />
      {types.length > 0 && (
        <fieldset className="admin-fieldset">
          <legend>{t('admin.departments.deadlines')}</legend>
          {types.map((c) => (
            <label key={c}>
              {c}
              <input
                type="number"
                min={1}
                step="any"
                value={form.deadlines[c] ?? ''}
                onChange={(e) => onChange({ ...form, deadlines: { ...form.deadlines, [c]: e.target.value } })}
                placeholder={t('admin.departments.deadlineDefault')}
                aria-label={t('admin.departments.deadline', { type: c })}
                className="narrow"
                data-testid={`${prefix}-deadline`}
                data-case-type={c}
              />
            </label>
          ))}
        </fieldset>
      )}
      <QuotaFields label={t('admin.departments.quotaDay')} value={form.day} onChange={(day) => onChange({ ...form, day })} testId={`${prefix}-day`} />
      <QuotaFields label={t('admin.departments.quotaMonth')} value={form.month} onChange={(month) => onChange({ ...form, month })} testId={`${prefix}-month`} />
    </>
  );
}

export function DepartmentsAdminPage() {
  const t = useT();
  const [departments, setDepartments] = useState<Department[]>([]);
  const [form, setForm] = useState<DepartmentForm>(EMPTY);
  const [editing, setEditing] = useState<{ id: number; form: DepartmentForm } | null>(null);
  const [deleting, setDeleting] = useState<number | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const reload = () => api<Department[]>('GET', '/api/departments').then(setDepartments, (err: unknown) => setMessage({ error: true, text: errorText(t, err) }));
  useEffect(() => {
    void reload();
    // once: each change below reloads the list itself
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const act = async (work: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await work();
      setMessage({ error: false, text: done });
      await reload();
    } catch (err) {
      setMessage({ error: true, text: errorText(t, err) });
    }
  };

  const create = (e: React.FormEvent) => {
    e.preventDefault();
    const body = toInput(form);
    void act(
      async () => {
        await api('POST', '/api/departments', body);
        setForm(EMPTY);
      },
      t('admin.departments.created', { name: body.name }),
    );
  };

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const body = toInput(editing.form);
    void act(
      async () => {
        await api('PUT', `/api/departments/${editing.id}`, body);
        setEditing(null);
      },
      t('admin.departments.saved', { name: body.name }),
    );
  };

  const remove = (d: Department) =>
    void act(
      async () => {
        setDeleting(null);
        await api('DELETE', `/api/departments/${d.id}`);
      },
      t('admin.departments.deleted', { name: d.name }),
    );

  const minutes = (s: number) => Math.round((s / 60) * 10) / 10;
  const quotaText = (q: DepartmentQuota | undefined) =>
    q
      ? [
          q.inTimeRate !== undefined && t('admin.departments.quotaInTime', { n: Math.round(q.inTimeRate * 100) }),
          q.maxOverdue !== undefined && t('admin.departments.quotaOverdue', { n: q.maxOverdue }),
          q.maxResolveMedianSeconds !== undefined && t('admin.departments.quotaMedian', { n: minutes(q.maxResolveMedianSeconds) }),
        ]
          .filter(Boolean)
          .join(' · ')
      : '';

  return (
    <main className="admin-page" data-testid="departments-admin-page">
      <h2>{t('admin.departments.title')}</h2>
      <div className="admin-toolbar">
        <span className="muted">{t('admin.departments.count', { n: departments.length })}</span>
      </div>
      <AdminTable
        headers={[
          t('admin.departments.name'),
          t('admin.departments.kind'),
          t('admin.departments.districtsHeader'),
          t('admin.departments.caseTypesHeader'),
          t('admin.departments.deadlines'),
          t('admin.departments.quotaDay'),
          t('admin.departments.quotaMonth'),
        ]}
      >
        {departments.map((d) => {
          const row = { 'data-testid': 'department-admin-row', 'data-department-id': String(d.id), 'data-name': d.name };
          return editing?.id === d.id ? (
            <EditRow key={d.id} row={row} span={8} title={d.name} saveTestId="department-save" onSubmit={save} onCancel={() => setEditing(null)}>
              <DepartmentFields form={editing.form} onChange={(f) => setEditing({ id: d.id, form: f })} prefix="department-edit" />
            </EditRow>
          ) : (
            <tr key={d.id} {...row}>
              <td>{d.name}</td>
              <td>{t(`admin.departments.kind.${d.kind}`)}</td>
              <td>{d.districts.length ? d.districts.join(', ') : <span className="muted">{t('admin.departments.wholeCity')}</span>}</td>
              <td className="mono">{d.caseTypes.join(', ')}</td>
              <td data-testid="department-deadlines">
                {Object.keys(d.deadlines).length ? (
                  Object.entries(d.deadlines)
                    .map(([c, s]) => t('admin.departments.deadlineText', { type: c, n: minutes(s) }))
                    .join(', ')
                ) : (
                  <span className="muted">{t('admin.departments.deadlineDefault')}</span>
                )}
              </td>
              <td>{quotaText(d.quota.day)}</td>
              <td data-testid="department-quota-month">{quotaText(d.quota.month)}</td>
              <td className="admin-actions">
                {deleting === d.id ? (
                  <>
                    <span className="error">{t('admin.departments.deleteConfirm', { name: d.name })}</span>
                    <button className="danger" onClick={() => remove(d)} data-testid="department-delete-confirm">
                      {t('admin.departments.deleteYes')}
                    </button>
                    <button className="secondary" onClick={() => setDeleting(null)} data-testid="department-delete-cancel">
                      {t('common.cancel')}
                    </button>
                  </>
                ) : (
                  <>
                    <button className="secondary" onClick={() => setEditing({ id: d.id, form: fromDepartment(d) })} data-testid="department-edit">
                      {t('admin.edit')}
                    </button>
                    <button className="danger" onClick={() => setDeleting(d.id)} data-testid="department-delete">
                      {t('admin.departments.delete')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </AdminTable>
      <form className="admin-form" onSubmit={create}>
        <h3>{t('admin.departments.add')}</h3>
        <DepartmentFields form={form} onChange={setForm} prefix="department-form" />
        <button className="primary" type="submit" data-testid="department-create">
          {t('admin.create')}
        </button>
      </form>
      <AdminMessage message={message} />
    </main>
  );
}
