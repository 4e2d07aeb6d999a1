// Admin: the operators who may log in to the wall, and a form to add one with a role.
import { useEffect, useState } from 'react';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api, type OperatorInfo, type Role } from './session';

const ROLES: readonly Role[] = ['viewer', 'coordinator', 'admin'];

export function OperatorsPage() {
  const t = useT();
  const [operators, setOperators] = useState<OperatorInfo[] | null>(null);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'viewer' as Role, password: '' });
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const reload = () =>
    api<OperatorInfo[] | { operators: OperatorInfo[] }>('GET', '/api/operators')
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

  return (
    <main className="operators-page" data-testid="operators-page">
      <h2>{t('operators.title')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('operators.username')}</th>
            <th>{t('operators.displayName')}</th>
            <th>{t('operators.role')}</th>
          </tr>
        </thead>
        <tbody>
          {(operators ?? []).map((o) => (
            <tr key={o.username} data-testid="operator-row" data-username={o.username}>
              <td>{o.username}</td>
              <td>{o.displayName ?? ''}</td>
              <td>{t(`role.${o.role}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="operator-form" onSubmit={(e) => void create(e)}>
        <h3>{t('operators.add')}</h3>
        <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} placeholder={t('operators.username')} required data-testid="op-username" />
        <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} placeholder={t('operators.displayName')} data-testid="op-display" />
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} aria-label={t('operators.role')} data-testid="op-role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
        <input type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} placeholder={t('operators.password')} required data-testid="op-password" />
        <button className="primary" type="submit" data-testid="op-create">
          {t('operators.create')}
        </button>
        {message && <p className={message.error ? 'error' : 'ok'}>{message.text}</p>}
      </form>
    </main>
  );
}
