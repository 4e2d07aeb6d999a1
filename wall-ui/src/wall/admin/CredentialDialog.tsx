// The one moment a unit's secret is visible: the provisioning link and its QR code for the
// body-cam page, and the WHIP URL with its token for a third-party encoder. Closing the dialog
// forgets the secret; the hub keeps only its hash, so a lost secret means a new one.
import { useEffect, useState } from 'react';
import type { UnitCredential, UnitStream } from '@hub/config';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import { bodycamLink, encoderSettings } from './provisioning';
import { QrCode } from './QrCode';

function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <label className="copy-field">
      <span>{label}</span>
      <input readOnly value={value} onFocus={(e) => e.target.select()} data-testid={testId} />
      <button
        type="button"
        className="secondary"
        onClick={() =>
          void navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t('admin.copied') : t('admin.copy')}
      </button>
    </label>
  );
}

export function CredentialDialog({ credential, onClose }: { credential: UnitCredential; onClose(): void }) {
  const t = useT();
  const [stream, setStream] = useState<UnitStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<UnitStream>('GET', `/api/units/${encodeURIComponent(credential.unitId)}/stream`).then(setStream, (err: unknown) => setError(errorText(t, err)));
  }, [credential.unitId, t]);
  const link = bodycamLink(location.origin, credential);
  const encoder = stream && encoderSettings(location.origin, stream, credential);
  return (
    <div className="admin-dialog-backdrop">
      <div className="admin-dialog" role="dialog" aria-modal="true" aria-labelledby="credential-title" data-testid="credential-dialog">
        <h3 id="credential-title">{t('admin.credential.title', { unitId: credential.unitId })}</h3>
        <p className="warn">{t('admin.credential.once')}</p>
        <div className="credential-body">
          <QrCode text={link} label={t('admin.credential.qr')} />
          <div className="credential-fields">
            <p className="muted">{t('admin.credential.scan')}</p>
            <CopyField label={t('admin.credential.link')} value={link} testId="credential-link" />
            <CopyField label={t('admin.credential.username')} value={credential.username} testId="credential-username" />
            <CopyField label={t('admin.credential.secret')} value={credential.secret} testId="credential-secret" />
            <h4>{t('admin.credential.encoder')}</h4>
            {encoder ? (
              <>
                <CopyField label={t('admin.credential.whip')} value={encoder.whipUrl} testId="credential-whip" />
                <CopyField label={t('admin.credential.bearer')} value={encoder.bearer ?? ''} testId="credential-bearer" />
                <CopyField label={t('admin.credential.streamId')} value={stream.streamId} testId="credential-stream-id" />
              </>
            ) : (
              <p className={error ? 'error' : 'muted'}>{error ?? t('common.loading')}</p>
            )}
          </div>
        </div>
        <div className="admin-dialog-actions">
          <button className="primary" onClick={onClose} data-testid="credential-close">
            {t('admin.credential.done')}
          </button>
        </div>
      </div>
    </div>
  );
}
