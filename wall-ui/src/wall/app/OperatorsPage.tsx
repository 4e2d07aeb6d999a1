// Admin: the operators who may log in to the wall, a form to add one with a role, and per
// operator: edit display name and role, reset the password, disable or enable. The hub ends
// the operator's sessions on a change of role, password or disabled.
import { useEffect, useState } from 'react';
import type { Operator } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api, type Role } from './session';
import { AdminTable, EditRow, EnableToggle } from '../admin/AdminTable';
import '../admin/admin.css';

const ROLES: readonly Role[] = ['viewer', 'coordinator', 'admin'];

export function OperatorsPage() {
  const t = useT();
  const locale = useLocale();
  const [operators, setOperators] = useState<Operator[] | null>(null);
  const [editing, setEditing] = useState<{ username: string; displayName: string; role: Role; password: string } | null>(null);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'viewer' as Role, password: '' });
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const reload = () =>
    api<Operator[] | { operators: Operator[] }>('GET', '/api/operators')
      .then((res) => setOperators(Array.isArray(res) ? res : res.operators))
      .catch((err: unknown) => setMessage({ error: true, text: errorText(t, err) }));

  useEffect(() => {
    void reload();
    // the list loads when the page opens; each change below reloads it itself
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setMessage(null);
    try {
      await api('POST', '/api/operators', { username: form.username.trim(), displayName: form.displayName.trim() || undefined, role: form.role, password: form.password });
      setMessage({ error: false, text: t('operators.created', { username: form.username.trim() }) });
      setForm({ username: '', displayName: '', role: 'viewer', password: '' });
      await reload();
    } catch (err) {
      setMessage({ error: true, text: errorText(t, err) });
    }
  };

  const change = async (username: string, body: Partial<{ displayName: string; role: Role; password: string; disabled: boolean }>, done: string) => {
    setMessage(null);
    try {
      await api('PATCH', `/api/operators/${encodeURIComponent(username)}`, body);
      setMessage({ error: false, text: done });
      setEditing(null);
      await reload();
    } catch (err) {
      setMessage({ error: true, text: errorText(t, err) });
    }
  };

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const { username, displayName, role, password } = editing;
    void change(username, { displayName: displayName.trim(), role, ...(password ? { password } : {}) }, t('operators.saved', { username }));
  };

  const roleSelect = (value: Role, onChange: (r: Role) => void, testId: string) => (
    <select value={value} onChange={(e) => onChange(e.target.value as Role)} aria-label={t('operators.role')} data-testid={testId}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {t(`role.${r}`)}
        </option>
      ))}
    </select>
  );

  return (
    <main className="operators-page admin-page" data-testid="operators-page">
      <h2>{t('operators.title')}</h2>
      <AdminTable headers={[t('operators.username'), t('operators.displayName'), t('operators.role'), t('operators.state'), t('operators.lastLogin')]}>
        {(operators ?? []).map((o) =>
          editing?.username === o.username ? (
            <EditRow
              key={o.username}
              row={{ 'data-testid': 'operator-row', 'data-username': o.username }}
              span={6}
              title={o.username}
              saveTestId="op-save"
              onSubmit={save}
              onCancel={() => setEditing(null)}
            >
              <input
                value={editing.displayName}
                onChange={(e) => setEditing({ ...editing, displayName: e.target.value })}
                placeholder={t('operators.displayName')}
                required
                data-testid="op-edit-display"
              />
              {roleSelect(editing.role, (role) => setEditing({ ...editing, role }), 'op-edit-role')}
              <input
                type="password"
                value={editing.password}
                onChange={(e) => setEditing({ ...editing, password: e.target.value })}
                placeholder={t('operators.newPassword')}
                autoComplete="new-password"
                data-testid="op-edit-password"
              />
            </EditRow>
          ) : (
            <tr key={o.username} className={o.disabled ? 'disabled' : ''} data-testid="operator-row" data-username={o.username}>
              <td>{o.username}</td>
              <td>{o.displayName ?? ''}</td>
              <td>{t(`role.${o.role}`)}</td>
              <td>{o.disabled ? t('admin.units.disabled') : t('admin.units.enabled')}</td>
              <td>{o.lastLoginAt ? new Date(o.lastLoginAt).toLocaleString(locale, { hour12: false }) : t('operators.never')}</td>
              <td className="admin-actions">
                <button className="secondary" onClick={() => setEditing({ username: o.username, displayName: o.displayName, role: o.role, password: '' })} data-testid="op-edit">
                  {t('admin.edit')}
                </button>
                <EnableToggle
                  disabled={o.disabled}
                  testIdPrefix="op"
                  onEnable={() => void change(o.username, { disabled: false }, t('operators.enabled', { username: o.username }))}
                  onDisable={() => void change(o.username, { disabled: true }, t('operators.disabled', { username: o.username }))}
                />
              </td>
            </tr>
          ),
        )}
      </AdminTable>
      <form className="operator-form" onSubmit={(e) => void create(e)}>
        <h3>{t('operators.add')}</h3>
        <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} placeholder={t('operators.username')} required data-testid="op-username" />
        <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} placeholder={t('operators.displayName')} data-testid="op-display" />
        {roleSelect(form.role, (role) => setForm({ ...form, role }), 'op-role')}
        <input type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} placeholder={t('operators.password')} required data-testid="op-password" />
        <button className="primary" type="submit" data-testid="op-create">
          {t('operators.create')}
        </button>
        {message && <p className={message.error ? 'error' : 'ok'}>{message.text}</p>}
      </form>
    </main>
  );
}
