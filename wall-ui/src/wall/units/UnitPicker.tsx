// Picks one unit out of hundreds: type part of its id or name, choose from the matches.
import { useMemo, useState } from 'react';
import { useT } from '../i18n';

const SHOWN = 8;

export interface UnitPickerProps {
  units: { id: string; name: string }[];
  value: string;
  onChange(unitId: string): void;
  testId?: string;
}

export function UnitPicker({ units, value, onChange, testId = 'unit-picker' }: UnitPickerProps) {
  const t = useT();
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const chosen = units.find((u) => u.id === value);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (q ? units.filter((u) => u.id.toLowerCase().includes(q) || u.name.toLowerCase().includes(q)) : units).slice(0, SHOWN);
  }, [units, query]);
  return (
    <div className="unit-picker" data-testid={testId}>
      <input
        type="search"
        value={open ? query : chosen ? `${chosen.id} · ${chosen.name}` : ''}
        placeholder={t('replay.pickUnit')}
        aria-label={t('replay.unit')}
        onFocus={() => {
          setOpen(true);
          setQuery('');
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => setQuery(e.target.value)}
        data-testid={`${testId}-search`}
      />
      {open && (
        <ul className="unit-picker-list" role="listbox">
          {matches.map((u) => (
            <li key={u.id} role="option" aria-selected={u.id === value}>
              <button
                type="button"
                className={u.id === value ? 'active' : 'secondary'}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  onChange(u.id);
                  setOpen(false);
                }}
                data-testid={`${testId}-option`}
                data-unit-id={u.id}
              >
                <span className="mono">{u.id}</span> {u.name}
              </button>
            </li>
          ))}
          {matches.length === 0 && <li className="muted">{t('replay.noMatch')}</li>}
        </ul>
      )}
    </div>
  );
}
