// What the admin pages' tables share: the table with its header row, a row being edited in
// place (one cell across the table: the form with save and cancel), and the enable/disable
// button a row needs.
import type { FormEvent, ReactNode } from 'react';
import { useT } from '../i18n';

export function AdminTable({ headers, children }: { headers: readonly string[]; children: ReactNode }) {
  return (
    <table className="admin-table">
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export interface EditRowProps {
  /** the row's data-testid and data-* attributes, as the view row has them */
  row: Record<string, string>;
  /** the table's column count */
  span: number;
  /** what is edited: the unit id or the username */
  title: string;
  saveTestId: string;
  onSubmit(e: FormEvent): void;
  onCancel(): void;
  children: ReactNode;
}

export function EditRow({ row, span, title, saveTestId, onSubmit, onCancel, children }: EditRowProps) {
  const t = useT();
  return (
    <tr {...row}>
      <td colSpan={span}>
        <form className="admin-inline-form" onSubmit={onSubmit}>
          <strong>{title}</strong>
          {children}
          <button className="primary" type="submit" data-testid={saveTestId}>
            {t('admin.save')}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </form>
      </td>
    </tr>
  );
}

/** Enable for a disabled row, disable for an enabled one; test ids `<prefix>-enable` / `<prefix>-disable`. */
export function EnableToggle({ disabled, testIdPrefix, onEnable, onDisable }: { disabled: boolean; testIdPrefix: string; onEnable(): void; onDisable(): void }) {
  const t = useT();
  return disabled ? (
    <button className="secondary" onClick={onEnable} data-testid={`${testIdPrefix}-enable`}>
      {t('admin.enable')}
    </button>
  ) : (
    <button className="danger" onClick={onDisable} data-testid={`${testIdPrefix}-disable`}>
      {t('admin.disable')}
    </button>
  );
}

/** What the last action on an admin page came to: done, or the hub's refusal in words. */
export function AdminMessage({ message }: { message: { error: boolean; text: string } | null }) {
  return message ? (
    <p className={message.error ? 'error' : 'ok'} data-testid="admin-message">
      {message.text}
    </p>
  ) : null;
}
