// A dispatch as the wearer sees it: where (distance and a compass arrow towards the scene, from
// the phone's last fix), the coordinator's note, Accept / Refuse (a refusal asks why), then
// "en route" with the distance left and "on scene". The page's own ack only told the hub the
// order arrived; these buttons are the answer (cmd/answer).
import { useState } from 'react';
import { bearingDeg, distanceM, type Command, type LatLon } from '@hub/config';
import { bodycamMessages } from './messages';

const t = bodycamMessages();

/** Within this distance the page says "on scene": the hub's default linkage.onSceneRadiusM. */
const ON_SCENE_M = 50;

export type DispatchOrder = Extract<Command, { type: 'dispatch' }>;
export type OrderStatus = 'waiting' | 'sending' | 'accepted' | 'refused';

export interface ShownOrder {
  order: DispatchOrder;
  status: OrderStatus;
  /** the answer is not confirmed by the hub yet */
  unsent?: boolean;
}

/** The photo from the scene for this order: not taken, being taken and sent, sent (its hash), or refused (why). */
export type EvidenceState = { stage: 'idle' } | { stage: 'capturing' } | { stage: 'sent'; sha256: string } | { stage: 'failed'; reason: string };

export function DispatchCard({
  shown,
  here,
  evidence,
  onAnswer,
  onDismiss,
  onCapture,
}: {
  shown: ShownOrder;
  here: LatLon | undefined;
  evidence: EvidenceState;
  onAnswer(accepted: boolean, reason?: string): void;
  onDismiss(): void;
  onCapture(): void;
}) {
  const { order, status } = shown;
  const [refusing, setRefusing] = useState(false);
  const [other, setOther] = useState('');
  const m = here ? distanceM(here, order) : undefined;
  const bearing = here ? bearingDeg(here, order) : undefined;
  const point = bearing === undefined ? '' : t.order.compass[Math.round(bearing / 45) % 8]!;
  const onScene = status === 'accepted' && m !== undefined && m <= ON_SCENE_M;
  return (
    <section className={`order order-${status}`} data-testid="order" data-status={onScene ? 'on_scene' : status} aria-live="assertive">
      <h2>
        {t.order.heading}
        {order.incidentId && <span className="muted"> · {t.order.incident(order.incidentId)}</span>}
      </h2>
      <div className="order-where">
        <svg className="compass" viewBox="-50 -50 100 100" aria-hidden="true" data-testid="order-compass" data-bearing={bearing === undefined ? '' : Math.round(bearing)}>
          <circle r="46" className="ring" />
          <text y="-32" textAnchor="middle" className="north">
            {t.order.compass[0]!.slice(0, 1).toUpperCase()}
          </text>
          {bearing !== undefined && <path d="M0,-36 L12,10 L0,2 L-12,10 Z" transform={`rotate(${bearing})`} className="arrow" />}
        </svg>
        <p className="order-distance" data-testid="order-distance">
          {m === undefined ? t.order.noFix : t.order.towards(t.order.distance(m), point)}
        </p>
      </div>
      {order.note && (
        <p className="order-note" data-testid="order-note">
          {order.note}
        </p>
      )}
      {status === 'waiting' && !refusing && (
        <div className="order-actions">
          <button type="button" className="big accept" data-testid="order-accept" onClick={() => onAnswer(true)}>
            {t.order.accept}
          </button>
          <button type="button" className="big refuse" data-testid="order-refuse" onClick={() => setRefusing(true)}>
            {t.order.refuse}
          </button>
        </div>
      )}
      {status === 'waiting' && refusing && (
        <div className="order-refusal">
          <p>{t.order.reasonPrompt}</p>
          {t.order.reasons.map((r) => (
            <button type="button" key={r} className="reason" data-testid="order-reason" onClick={() => onAnswer(false, r)}>
              {r}
            </button>
          ))}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (other.trim()) onAnswer(false, other.trim());
            }}
          >
            <input value={other} maxLength={500} placeholder={t.order.otherReason} aria-label={t.order.otherReason} data-testid="order-reason-text" onChange={(e) => setOther(e.target.value)} />
            <button type="submit" disabled={!other.trim()} data-testid="order-send-refusal">
              {t.order.sendRefusal}
            </button>
          </form>
          <button type="button" className="back" onClick={() => setRefusing(false)}>
            {t.order.back}
          </button>
        </div>
      )}
      {status === 'accepted' && (
        <p className="ok" data-testid="order-state">
          {onScene ? t.order.onScene : m === undefined ? t.order.accepted : t.order.enRoute(t.order.distance(m))}
        </p>
      )}
      {status === 'accepted' && order.incidentId && (
        <div className="order-evidence" data-testid="evidence" data-stage={evidence.stage}>
          <button type="button" className="big evidence" data-testid="capture-evidence" disabled={evidence.stage === 'capturing'} onClick={onCapture}>
            {evidence.stage === 'capturing' ? t.evidence.capturing : t.evidence.capture}
          </button>
          {evidence.stage === 'sent' && (
            <p className="ok" data-testid="evidence-state">
              {t.evidence.sent(evidence.sha256.slice(0, 12))}
            </p>
          )}
          {evidence.stage === 'failed' && (
            <p className="error" role="alert" data-testid="evidence-state">
              {t.evidence.failed(evidence.reason)}
            </p>
          )}
        </div>
      )}
      {status === 'refused' && (
        <>
          <p className="notice" data-testid="order-state">
            {t.order.refused}
          </p>
          <button type="button" className="back" onClick={onDismiss}>
            {t.order.dismiss}
          </button>
        </>
      )}
      {shown.unsent && <p className="error">{t.order.notSent}</p>}
    </section>
  );
}
