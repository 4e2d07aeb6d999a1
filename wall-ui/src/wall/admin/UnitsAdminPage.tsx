// Admin: the register of units. Search, add, edit (name, type, team, district), disable or
// enable, issue or rotate a credential (shown once, CredentialDialog), and a unit's stream id
// and WHIP URL for an encoder, which the hub gives while the unit is offline.
import { useEffect, useState } from 'react';
import { UnitTypeSchema, type Unit, type UnitCredential, type UnitStream, type UnitType } from '@hub/config';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import { CredentialDialog } from './CredentialDialog';
import { AdminMessage, AdminTable, EditRow, EnableToggle } from './AdminTable';
import './admin.css';

const TYPES = UnitTypeSchema.options;

interface UnitForm {
  id: string;
  name: string;
  type: UnitType;
  team: string;
  district: string;
}

const EMPTY: UnitForm = { id: '', name: '', type: 'bodycam', team: '', district: '' };
const orNull = (s: string) => s.trim() || null;

function UnitFields({ form, onChange, withId }: { form: UnitForm; onChange(f: UnitForm): void; withId: boolean }) {
  const t = useT();
  return (
    <>
      {withId && <input value={form.id} onChange={(e) => onChange({ ...form, id: e.target.value })} placeholder={t('admin.units.id')} required data-testid="unit-form-id" />}
      <input value={form.name} onChange={(e) => onChange({ ...form, name: e.target.value })} placeholder={t('admin.units.name')} required data-testid="unit-form-name" />
      <select value={form.type} onChange={(e) => onChange({ ...form, type: e.target.value as UnitType })} aria-label={t('admin.units.type')} data-testid="unit-form-type">
        {TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`unit.type.${type}`)}
          </option>
        ))}
      </select>
      <input value={form.team} onChange={(e) => onChange({ ...form, team: e.target.value })} placeholder={t('admin.units.team')} data-testid="unit-form-team" />
      <input value={form.district} onChange={(e) => onChange({ ...form, district: e.target.value })} placeholder={t('admin.units.district')} data-testid="unit-form-district" />
    </>
  );
}

export function UnitsAdminPage() {
  const t = useT();
  const [units, setUnits] = useState<Unit[]>([]);
  const [search, setSearch] = useState('');
  const [form, setForm] = useState<UnitForm>(EMPTY);
  const [editing, setEditing] = useState<{ id: string; form: UnitForm } | null>(null);
  const [credential, setCredential] = useState<UnitCredential | null>(null);
  const [stream, setStream] = useState<UnitStream | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const reload = (q = search) =>
    api<Unit[]>('GET', `/api/units${q.trim() ? `?search=${encodeURIComponent(q.trim())}` : ''}`).then(setUnits, (err: unknown) => setMessage({ error: true, text: errorText(t, err) }));

  useEffect(() => {
    const timer = setTimeout(() => void reload(search), 200);
    return () => clearTimeout(timer);
    // the list follows the search box; each change below reloads it itself
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const act = async (work: () => Promise<unknown>, done?: string) => {
    setMessage(null);
    try {
      await work();
      if (done) setMessage({ error: false, text: done });
      await reload();
    } catch (err) {
      setMessage({ error: true, text: errorText(t, err) });
    }
  };

  const create = (e: React.FormEvent) => {
    e.preventDefault();
    const id = form.id.trim();
    void act(
      async () => {
        await api('POST', '/api/units', { id, name: form.name.trim(), type: form.type, team: orNull(form.team), district: orNull(form.district) });
        setForm(EMPTY);
      },
      t('admin.units.created', { id }),
    );
  };

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const f = editing.form;
    void act(
      async () => {
        await api('PATCH', `/api/units/${encodeURIComponent(editing.id)}`, { name: f.name.trim(), type: f.type, team: orNull(f.team), district: orNull(f.district) });
        setEditing(null);
      },
      t('admin.units.saved', { id: editing.id }),
    );
  };

  const issue = (u: Unit) => {
    if (u.hasCredential && !confirm(t('admin.units.rotateConfirm', { id: u.id }))) return;
    void act(async () => setCredential(await api<UnitCredential>('POST', `/api/units/${encodeURIComponent(u.id)}/credential`)));
  };

  return (
    <main className="admin-page" data-testid="units-admin-page">
      <h2>{t('admin.units.title')}</h2>
      <div className="admin-toolbar">
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t('admin.units.search')} data-testid="units-admin-search" />
        <span className="muted">{t('admin.units.count', { n: units.length })}</span>
      </div>
      <AdminTable headers={[t('admin.units.id'), t('admin.units.name'), t('admin.units.type'), t('admin.units.team'), t('admin.units.district'), t('admin.units.state')]}>
        {units.map((u) =>
          editing?.id === u.id ? (
            <EditRow key={u.id} row={{ 'data-testid': 'unit-admin-row', 'data-unit-id': u.id }} span={7} title={u.id} saveTestId="unit-save" onSubmit={save} onCancel={() => setEditing(null)}>
              <UnitFields form={editing.form} onChange={(f) => setEditing({ id: u.id, form: f })} withId={false} />
            </EditRow>
          ) : (
            <tr key={u.id} className={u.disabled ? 'disabled' : ''} data-testid="unit-admin-row" data-unit-id={u.id}>
              <td className="mono">{u.id}</td>
              <td>{u.name}</td>
              <td>{t(`unit.type.${u.type}`)}</td>
              <td>{u.team ?? ''}</td>
              <td>{u.district ?? ''}</td>
              <td>
                {u.disabled ? t('admin.units.disabled') : t('admin.units.enabled')} · {u.hasCredential ? t('admin.units.hasCredential') : t('admin.units.noCredential')}
              </td>
              <td className="admin-actions">
                <button
                  className="secondary"
                  onClick={() => setEditing({ id: u.id, form: { id: u.id, name: u.name, type: u.type, team: u.team ?? '', district: u.district ?? '' } })}
                  data-testid="unit-edit"
                >
                  {t('admin.edit')}
                </button>
                <button className="secondary" onClick={() => issue(u)} data-testid="unit-credential">
                  {u.hasCredential ? t('admin.units.rotate') : t('admin.units.issue')}
                </button>
                <button className="secondary" onClick={() => void act(async () => setStream(await api<UnitStream>('GET', `/api/units/${encodeURIComponent(u.id)}/stream`)))} data-testid="unit-stream">
                  {t('admin.units.stream')}
                </button>
                <EnableToggle
                  disabled={u.disabled}
                  testIdPrefix="unit"
                  onEnable={() => void act(() => api('PATCH', `/api/units/${encodeURIComponent(u.id)}`, { disabled: false }))}
                  onDisable={() => void act(() => api('POST', `/api/units/${encodeURIComponent(u.id)}/disable`))}
                />
              </td>
            </tr>
          ),
        )}
      </AdminTable>
      {stream && (
        <p className="admin-stream" data-testid="unit-stream-info">
          {t('admin.units.streamInfo', { id: stream.unitId })} <code data-testid="unit-stream-whip">{location.origin + stream.whip}</code> · {t('admin.credential.streamId')}{' '}
          <code>{stream.streamId}</code>{' '}
          <button className="secondary" onClick={() => setStream(null)}>
            {t('common.close')}
          </button>
        </p>
      )}
      <form className="admin-form" onSubmit={create}>
        <h3>{t('admin.units.add')}</h3>
        <UnitFields form={form} onChange={setForm} withId />
        <button className="primary" type="submit" data-testid="unit-create">
          {t('admin.create')}
        </button>
      </form>
      <AdminMessage message={message} />
      {credential && <CredentialDialog credential={credential} onClose={() => setCredential(null)} />}
    </main>
  );
}
