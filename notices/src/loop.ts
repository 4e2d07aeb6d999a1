// The notice-and-escalation loop: a detection of a known subject, of a type with a grace period,
// opens its incident in the `noticed` phase instead of alarming: the owner gets a text and the
// grace period runs (its end kept in the database). A re-detection keeps the case pending; a
// `cleared` event closes it as resolved by notice; the grace period's end with the subject seen
// in its last part escalates: an alarm, and the linkage an intake incident gets (nearest units).
import type { Logger } from 'pino';
import type { Incident, IntakeEvent, NoticesConfig } from '@hub/config';
import { distanceM } from '@hub/config';
import type { FiledReport, IncidentService, IntakeHook } from '@hub/incidents';
import { appendEvent, getIncident, WakeTimers, withTransaction } from '@hub/incidents';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { NoticeCaseNotFoundError, NoticeCasePhaseError, SmsSendError } from './errors';
import { maskPhone } from './phone';
import type { DeliveryReceipt, SmsSender } from './sms/sender';
import { claimNotice, finishNotice, insertCase, insertNotice, lockCase, receiptNotice, recentNotices, setPhase, type CaseRow } from './store';
import { subjectKey, type SubjectContact, type SubjectDirectory } from './subjects';
import { noticeWords } from './templates';

/** Raised when a case escalates: the hub's alarm (on the wall, for the supervisors). */
export type EscalationAlarm = (incident: Incident, detail: Record<string, unknown>) => Promise<void>;

export interface NoticeLoopOptions {
  db: Queryable;
  incidents: IncidentService;
  settings: NoticesConfig;
  /** the SMS gateway; none = the loop is off and every event alarms at once, as before */
  sender: SmsSender | undefined;
  directory: SubjectDirectory;
  /** a repeat within this distance of an open case of the same subject joins it, metres (linkage.intake.mergeRadiusM) */
  mergeRadiusM: number;
  raiseAlarm: EscalationAlarm;
  audit?: (entry: { actor: string; action: string; target?: string; detail?: Record<string, unknown> }) => Promise<void>;
  log: Logger;
}

const OPEN_PHASES = ['noticed', 'recheck'] as const;
const ACTOR = 'notices';

export class NoticeLoop implements IntakeHook {
  /** grace timers by incident id (the database holds the end; these only wake the hub) */
  private readonly timers: WakeTimers;
  /** contacts looked up in `match`, for `filed` of the same event */
  private readonly looked = new WeakMap<IntakeEvent, SubjectContact | null>();
  /** texts being handed to the gateway: a receipt waits for them (it can overtake the submit's bookkeeping) */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  private constructor(private readonly opts: NoticeLoopOptions) {
    this.timers = new WakeTimers(
      (incidentId) => this.graceOver(incidentId),
      (err, incidentId) => opts.log.error({ err, incidentId }, 'grace end not handled'),
    );
  }

  static async start(opts: NoticeLoopOptions): Promise<NoticeLoop> {
    const loop = new NoticeLoop(opts);
    const { sender, incidents, db } = opts;
    if (!sender) {
      opts.log.info('no SMS gateway (notices.smpp or notices.http): events alarm at once, no notices');
      return loop;
    }
    incidents.intakeHooks.add(loop);
    const onReceipt = (r: DeliveryReceipt) => void loop.onReceipt(r).catch((err: unknown) => opts.log.error({ err }, 'delivery receipt not recorded'));
    const onIncident = (i: Incident) => {
      if (i.state === 'resolved' || i.state === 'closed') void loop.incidentEnded(i.id).catch((err: unknown) => opts.log.error({ err, incidentId: i.id }, 'notice case not closed'));
    };
    sender.on('receipt', onReceipt);
    incidents.events.on('incident', onIncident);
    loop.unsubscribe.push(
      () => incidents.intakeHooks.delete(loop),
      () => sender.off('receipt', onReceipt),
      () => incidents.events.off('incident', onIncident),
    );
    // after a restart: the grace periods that run (or ran out while the hub was down) wake it again
    const { rows: running } = await db.query<{ incident_id: string; grace_ends_at: Date }>(`SELECT incident_id, grace_ends_at FROM notice_cases WHERE phase = 'noticed'`);
    for (const r of running) loop.schedule(Number(r.incident_id), r.grace_ends_at);
    // a text the hub was handing over when it stopped: whether the gateway took it is unknown
    const { rows: cut } = await db.query<{ id: string; incident_id: string }>(
      `UPDATE notices SET state = 'failed', error = 'HUB_ERR_SMS_INTERRUPTED', done_at = clock_timestamp() WHERE state = 'sending' RETURNING id, incident_id`,
    );
    for (const n of cut) {
      await appendEvent(db, {
        incidentId: Number(n.incident_id),
        actor: ACTOR,
        kind: 'notice_failed',
        detail: { noticeId: Number(n.id), code: 'HUB_ERR_SMS_INTERRUPTED', reason: 'the hub stopped while handing the text to the gateway' },
      });
    }
    // committed but never handed over (the hub stopped in between): sent now
    const { rows: pending } = await db.query<{ id: string }>(`SELECT id FROM notices WHERE state = 'pending' ORDER BY id`);
    for (const n of pending) void loop.sendNotice(Number(n.id));
    return loop;
  }

  get active(): boolean {
    return this.opts.sender !== undefined;
  }

  private rule(type: string) {
    return this.opts.settings.grace[type];
  }

  /** Is the incident's linkage held back by its case (grace running, or resolved by notice)? */
  async holds(incidentId: number): Promise<boolean> {
    const { rows } = await this.opts.db.query(`SELECT 1 FROM notice_cases WHERE incident_id = $1 AND phase IN ('noticed', 'recheck', 'resolved_by_notice')`, [incidentId]);
    return rows.length > 0;
  }

  // ---- the intake hook ----

  async match(tx: Queryable, e: IntakeEvent): Promise<number | 'new' | undefined> {
    if (!e.subject || !this.rule(e.type)) return undefined;
    const key = subjectKey(e.subject);
    const { rows } = await tx.query<CaseRow>(
      `SELECT c.* FROM notice_cases c JOIN incidents i ON i.id = c.incident_id
        WHERE c.subject_kind = $1 AND c.subject_id = $2 AND c.type = $3 AND i.state IN ('reported', 'dispatched', 'en_route', 'on_scene')
        ORDER BY c.created_at DESC`,
      [e.subject.kind, key, e.type],
    );
    const here = rows.find((c) => distanceM(c, e) <= this.opts.mergeRadiusM);
    if (here) return Number(here.incident_id);
    if (e.cleared) return undefined;
    // a known subject gets its own case: never joined to another subject's incident nearby
    const contact = (await this.opts.directory.lookup(e.subject)) ?? null;
    this.looked.set(e, contact);
    return contact ? 'new' : undefined;
  }

  async filed(tx: Queryable, r: FiledReport): Promise<(() => Promise<void>) | undefined> {
    const { incident, event: e } = r;
    const rule = this.rule(e.type);
    if (!e.subject || !rule) return undefined;
    const subject = { kind: e.subject.kind, id: subjectKey(e.subject) };
    if (!r.created) return this.repeated(tx, incident.id, e);
    const contact = this.looked.has(e) ? this.looked.get(e) : await this.opts.directory.lookup(e.subject);
    if (!contact) {
      await appendEvent(tx, { incidentId: incident.id, actor: ACTOR, kind: 'notice_skipped', detail: { subject, reason: 'unknown_subject' } });
      return undefined;
    }
    const { graceEndsAt } = await insertCase(tx, { incidentId: incident.id, subject, cameraId: e.cameraId ?? null, type: e.type, lat: e.lat, lon: e.lon, ...rule });
    const minutes = String(Math.ceil(rule.graceSeconds / 60));
    const place = e.description ?? incident.district ?? e.cameraId ?? `${e.lat.toFixed(5)},${e.lon.toFixed(5)}`;
    const words = noticeWords(this.opts.settings, e.type, { subject: e.subject.id, name: contact.name, minutes, place });
    const limit = this.opts.settings.rateLimit;
    const limited = (await recentNotices(tx, subject.kind, subject.id, limit.windowSeconds)) >= limit.perSubject;
    const noticeId = words
      ? await insertNotice(tx, { incidentId: incident.id, subject, phone: contact.phone, ...words, channel: this.opts.sender!.channel, state: limited ? 'rate_limited' : 'pending' })
      : undefined;
    await appendEvent(tx, {
      incidentId: incident.id,
      actor: ACTOR,
      kind: 'noticed',
      detail: {
        subject,
        name: contact.name,
        phone: maskPhone(contact.phone),
        cameraId: e.cameraId ?? null,
        graceSeconds: rule.graceSeconds,
        graceEndsAt,
        noticeId: noticeId ?? null,
        text: words?.text ?? null,
      },
    });
    if (!words) await appendEvent(tx, { incidentId: incident.id, actor: ACTOR, kind: 'notice_failed', detail: { code: 'HUB_ERR_SMS_TEMPLATE', reason: `no notices.templates.${e.type}` } });
    if (limited) await appendEvent(tx, { incidentId: incident.id, actor: ACTOR, kind: 'notice_rate_limited', detail: { noticeId, perSubject: limit.perSubject, windowSeconds: limit.windowSeconds } });
    this.opts.log.info({ incidentId: incident.id, subject: subject.kind, phone: maskPhone(contact.phone), graceEndsAt }, 'subject noticed');
    return async () => {
      this.schedule(incident.id, graceEndsAt);
      if (noticeId !== undefined && !limited) await this.sendNotice(noticeId);
    };
  }

  /** Another report on an incident with a case: cleared → resolved by notice; seen again → kept pending, or escalated after grace. */
  private async repeated(tx: Queryable, incidentId: number, e: IntakeEvent): Promise<(() => Promise<void>) | undefined> {
    const c = await lockCase(tx, incidentId);
    if (!c || !(OPEN_PHASES as readonly string[]).includes(c.phase)) return undefined;
    if (e.cleared) {
      await setPhase(tx, incidentId, 'resolved_by_notice');
      await appendEvent(tx, { incidentId, actor: ACTOR, kind: 'resolved_by_notice', detail: { source: e.source, phase: c.phase, ts: e.ts } });
      return async () => {
        this.unschedule(incidentId);
        await this.opts.incidents.transition(incidentId, 'resolved', ACTOR, 'resolved by notice: the subject cleared within its grace period');
      };
    }
    await tx.query('UPDATE notice_cases SET last_seen_at = clock_timestamp() WHERE incident_id = $1', [incidentId]);
    if (c.phase !== 'recheck') return undefined;
    // the grace period is over and the subject is still there: that is the re-check
    await this.escalateIn(tx, incidentId, { by: 'redetected' });
    return () => this.escalated(incidentId, { by: 'redetected' });
  }

  // ---- grace ----

  private schedule(incidentId: number, endsAt: Date | string): void {
    this.timers.at(incidentId, endsAt);
  }

  private unschedule(incidentId: number): void {
    this.timers.cancel(incidentId);
  }

  /**
   * The grace period is over: the case is claimed once (its row locked, SKIP LOCKED: a second hub
   * or a timer left from before a restart passes by), then escalated if the subject was seen in
   * the last `recheckSeconds`, else left for a re-check.
   */
  private async graceOver(incidentId: number): Promise<void> {
    if (this.closed) return;
    type Outcome = { later: Date | string } | { escalate: Record<string, unknown> } | { recheck: true } | undefined;
    const out = await withTransaction(this.opts.db, async (tx): Promise<Outcome> => {
      const { rows } = await tx.query<CaseRow & { state: string; due: boolean; seen: boolean }>(
        `SELECT c.*, i.state, c.grace_ends_at <= clock_timestamp() AS due,
                c.last_seen_at >= c.grace_ends_at - make_interval(secs => c.recheck_seconds) AS seen
           FROM notice_cases c JOIN incidents i ON i.id = c.incident_id
          WHERE c.incident_id = $1 AND c.phase = 'noticed' FOR UPDATE OF c SKIP LOCKED`,
        [incidentId],
      );
      const c = rows[0];
      if (!c) return undefined;
      if (!c.due) return { later: c.grace_ends_at };
      if (!['reported', 'dispatched', 'en_route', 'on_scene'].includes(c.state)) {
        await setPhase(tx, incidentId, 'closed');
        return undefined;
      }
      const lastSeenAt = toIso(c.last_seen_at);
      if (c.seen) {
        await this.escalateIn(tx, incidentId, { by: 'redetected', lastSeenAt });
        return { escalate: { by: 'redetected', lastSeenAt } };
      }
      await setPhase(tx, incidentId, 'recheck');
      await appendEvent(tx, { incidentId, actor: ACTOR, kind: 'grace_ended', detail: { lastSeenAt, recheckSeconds: c.recheck_seconds } });
      return { recheck: true };
    });
    if (!out) return;
    if ('later' in out) this.schedule(incidentId, out.later);
    else if ('escalate' in out) await this.escalated(incidentId, out.escalate);
    else await this.announce(incidentId);
  }

  /** An operator saw the subject still there (live view, snapshot) after the grace period: escalate. */
  async confirm(incidentId: number, actor: string): Promise<void> {
    await withTransaction(this.opts.db, async (tx) => {
      const c = await lockCase(tx, incidentId);
      if (!c) throw new NoticeCaseNotFoundError(incidentId);
      if (c.phase !== 'recheck') throw new NoticeCasePhaseError(incidentId, c.phase, toIso(c.grace_ends_at));
      await this.escalateIn(tx, incidentId, { by: 'operator', operator: actor });
    });
    await this.opts.audit?.({ actor, action: 'notice_case_confirmed', target: `incident:${incidentId}` });
    await this.escalated(incidentId, { by: 'operator', operator: actor });
  }

  private async escalateIn(tx: Queryable, incidentId: number, detail: Record<string, unknown>): Promise<void> {
    this.unschedule(incidentId);
    await setPhase(tx, incidentId, 'escalated');
    await appendEvent(tx, { incidentId, actor: ACTOR, kind: 'notice_escalated', detail });
  }

  /** After the commit: the alarm, then the incident announced again, which lets the linkage run as for any intake incident. */
  private async escalated(incidentId: number, detail: Record<string, unknown>): Promise<void> {
    const incident = await getIncident(this.opts.db, incidentId);
    if (!incident) return;
    await this.opts.raiseAlarm(incident, { incidentId, type: incident.type, reason: 'notice_ignored', ...detail });
    this.opts.log.warn({ incidentId, type: incident.type, ...detail }, 'notice case escalated: the subject is still there after its grace period');
    this.opts.incidents.events.emit('incident', incident);
  }

  private async incidentEnded(incidentId: number): Promise<void> {
    this.unschedule(incidentId);
    await this.opts.db.query(`UPDATE notice_cases SET phase = 'closed', phase_at = clock_timestamp() WHERE incident_id = $1 AND phase IN ('noticed', 'recheck')`, [incidentId]);
  }

  // ---- texts ----

  private async sendNotice(noticeId: number): Promise<void> {
    const { db, sender, log } = this.opts;
    const n = await claimNotice(db, noticeId);
    if (!n || !sender) return;
    const incidentId = Number(n.incident_id);
    const sending = sender.send({ to: n.phone, text: n.text, type: await this.typeOf(incidentId), params: n.params }).then(
      async ({ messageId }) => {
        await finishNotice(db, noticeId, 'submitted', { messageId });
        await appendEvent(db, { incidentId, actor: ACTOR, kind: 'notice_submitted', detail: { noticeId, channel: sender.channel, messageId } });
      },
      async (err: unknown) => {
        const code = err instanceof SmsSendError ? err.code : 'HUB_ERR_SMS';
        const reason = err instanceof Error ? err.message : String(err);
        await finishNotice(db, noticeId, 'failed', { error: code });
        await appendEvent(db, { incidentId, actor: ACTOR, kind: 'notice_failed', detail: { noticeId, channel: sender.channel, code, reason } });
        log.warn({ incidentId, noticeId, phone: maskPhone(n.phone), code }, 'notice not sent');
      },
    );
    this.inFlight.add(sending);
    try {
      await sending;
    } finally {
      this.inFlight.delete(sending);
    }
    await this.announce(incidentId);
  }

  private async typeOf(incidentId: number): Promise<string> {
    const { rows } = await this.opts.db.query<{ type: string }>('SELECT type FROM incidents WHERE id = $1', [incidentId]);
    return rows[0]?.type ?? '';
  }

  private async onReceipt(r: DeliveryReceipt): Promise<void> {
    await this.recordReceipt(r);
  }

  /** The gateway that sends the texts (the receipts' route asks the HTTP provider's adapter to read its posts). */
  get gateway(): SmsSender | undefined {
    return this.opts.sender;
  }

  /**
   * A delivery receipt into its notice and the incident's trail: true when it matched a notice
   * still waiting for one (a repeat or an unknown id matches nothing and changes nothing).
   */
  async recordReceipt(r: DeliveryReceipt): Promise<boolean> {
    // the gateway may send the receipt before the submit's answer is written down
    await Promise.allSettled([...this.inFlight]);
    const { db, sender } = this.opts;
    if (!sender) return false;
    const n = await receiptNotice(db, sender.channel, r.messageId, r.delivered, r.delivered ? null : `${r.status}${r.error ? ` err:${r.error}` : ''}`);
    if (!n) return false;
    await appendEvent(db, {
      incidentId: n.incidentId,
      actor: ACTOR,
      kind: r.delivered ? 'notice_delivered' : 'notice_failed',
      detail: { noticeId: n.id, channel: sender.channel, messageId: r.messageId, status: r.status, ...(r.error ? { error: r.error } : {}) },
    });
    await this.announce(n.incidentId);
    return true;
  }

  private async announce(incidentId: number): Promise<void> {
    await this.opts.incidents.touch(incidentId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe.splice(0).forEach((u) => u());
    this.timers.close();
    await Promise.allSettled([...this.inFlight]);
    await this.opts.sender?.close();
  }
}
