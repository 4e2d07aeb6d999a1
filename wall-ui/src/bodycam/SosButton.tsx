// SOS that a pocket cannot press: hold the button HOLD_MS (a ring fills), then a CANCEL_MS
// window says "Sending SOS in n s" with a Cancel button; only then is the SOS sent. Afterwards
// the wearer sees what the centre did: received (the hub's PUBACK), acknowledged by an operator,
// and who is coming with their ETA (the hub's sos.status commands).
import { useEffect, useRef, useState } from 'react';
import type { Command } from '@hub/config';
import { bodycamMessages } from './messages';

const t = bodycamMessages();

/** How long the button must be held, ms. */
export const HOLD_MS = 2000;
/** How long an SOS can still be cancelled after the hold, ms. */
export const CANCEL_MS = 5000;

export type SosStatus = Extract<Command, { type: 'sos.status' }>;
export type SosStage = 'idle' | 'holding' | 'countdown' | 'cancelled' | 'sending' | 'sent' | 'failed';

export function SosButton({ disabled, status, send, onStage }: { disabled: boolean; status: SosStatus | undefined; send(): Promise<void>; onStage?(stage: SosStage): void }) {
  const [stage, setStageState] = useState<SosStage>('idle');
  const [progress, setProgress] = useState(0);
  const [left, setLeft] = useState(CANCEL_MS / 1000);
  const timer = useRef<number>(undefined);
  const started = useRef(0);
  const setStage = (s: SosStage) => {
    setStageState(s);
    onStage?.(s);
  };

  const stop = () => window.clearInterval(timer.current);
  useEffect(() => stop, []);

  const fire = () => {
    setStage('sending');
    send().then(
      () => setStage('sent'),
      () => setStage('failed'),
    );
  };

  const startHold = () => {
    if (disabled || (stage !== 'idle' && stage !== 'cancelled' && stage !== 'failed')) return;
    setStage('holding');
    started.current = Date.now();
    stop();
    timer.current = window.setInterval(() => {
      const p = Math.min(1, (Date.now() - started.current) / HOLD_MS);
      setProgress(p);
      if (p < 1) return;
      // held long enough: the cancel window starts
      stop();
      setStage('countdown');
      started.current = Date.now();
      timer.current = window.setInterval(() => {
        const rest = CANCEL_MS - (Date.now() - started.current);
        setLeft(Math.max(0, Math.ceil(rest / 1000)));
        if (rest > 0) return;
        stop();
        fire();
      }, 100);
    }, 50);
  };
  const endHold = () => {
    if (stage !== 'holding') return;
    stop();
    setProgress(0);
    setStage('idle'); // let go too early: nothing happens
  };
  const cancel = () => {
    stop();
    setProgress(0);
    setLeft(CANCEL_MS / 1000);
    setStage('cancelled');
  };

  return (
    <div className="sos-block" data-testid="sos-block" data-stage={stage}>
      {stage === 'countdown' ? (
        <div className="sos-countdown" role="alert">
          <p data-testid="sos-countdown">{t.sosFlow.countdown(left)}</p>
          <button type="button" className="big cancel" data-testid="sos-cancel" onClick={cancel}>
            {t.sosFlow.cancel}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="big sos"
          data-testid="sos"
          disabled={disabled || stage === 'sending'}
          style={{ ['--hold' as string]: `${Math.round(progress * 360)}deg` }}
          onPointerDown={startHold}
          onPointerUp={endHold}
          onPointerLeave={endHold}
          onPointerCancel={endHold}
          onContextMenu={(e) => e.preventDefault()}
        >
          <span className="ring" aria-hidden="true" />
          <span>{stage === 'holding' ? t.sosFlow.holding : stage === 'sending' ? t.sosSending : t.sos}</span>
          <small>{t.sosFlow.hold}</small>
        </button>
      )}
      {stage === 'cancelled' && <p className="notice">{t.sosFlow.cancelled}</p>}
      {stage === 'failed' && <p className="error">{t.errors.sosFailed}</p>}
      {stage === 'sent' && (
        <ol className="sos-progress" data-testid="sos-state">
          <li className="ok">{t.sosFlow.received}</li>
          <li className={status?.acknowledged ? 'ok' : 'muted'} data-testid="sos-ack">
            {status?.acknowledged ? t.sosFlow.acknowledged : t.sosFlow.waitingAck}
          </li>
          {status?.coming.map((c) => (
            <li key={c.unitId} className="ok" data-testid="sos-coming" data-unit-id={c.unitId}>
              {c.state === 'on_scene' ? t.sosFlow.onScene(c.name) : t.sosFlow.coming(c.name, c.etaSeconds)}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
