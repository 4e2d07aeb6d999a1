// Pick, save and delete the operator's named layouts.
import { useState } from 'react';
import type { Preset } from '@hub/config';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';

export interface PresetBarProps {
  presets: Preset[];
  current: string | null;
  onApply(name: string): void;
  onSave(name: string): Promise<void>;
  onDelete(name: string): Promise<void>;
}

export function PresetBar({ presets, current, onApply, onSave, onDelete }: PresetBarProps) {
  const t = useT();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const save = async (n: string) => {
    setError(null);
    try {
      await onSave(n);
      setNaming(false);
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <div className="preset-bar" data-testid="preset-bar">
      <select value={current ?? ''} onChange={(e) => e.target.value && onApply(e.target.value)} aria-label={t('presets.pick')} data-testid="preset-pick">
        <option value="">{t('presets.none')}</option>
        {presets.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      {current && (
        <button className="small" onClick={() => void save(current)} data-testid="preset-save">
          {t('presets.save')}
        </button>
      )}
      {naming ? (
        <>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('presets.name')} maxLength={64} data-testid="preset-name" autoFocus />
          <button className="small" disabled={!name.trim()} onClick={() => void save(name.trim())} data-testid="preset-save-as-confirm">
            {t('common.ok')}
          </button>
          <button className="small secondary" onClick={() => setNaming(false)}>
            {t('common.cancel')}
          </button>
        </>
      ) : (
        <button
          className="small"
          onClick={() => {
            setName('');
            setNaming(true);
          }}
          data-testid="preset-save-as"
        >
          {t('presets.saveAs')}
        </button>
      )}
      {current && (
        <button className="small secondary" onClick={() => void onDelete(current).catch((err: unknown) => setError(errorText(t, err)))} data-testid="preset-delete">
          {t('presets.delete')}
        </button>
      )}
      {error && <span className="error">{error}</span>}
    </div>
  );
}
