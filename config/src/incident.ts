// Incidents: their lifecycle, dispatches to units, nearest units, linkage, KPIs, replay and
// external intake. REST bodies, responses and live-feed events.
import { z } from 'zod';
import { decimalInt, decimalNumber, LatSchema, LonSchema, RowIdParamSchema, RowIdSchema, UnitIdSchema, UnitTypeSchema } from './ids';
import { freeText } from './text';
import { SubjectRefSchema } from './notices';

/** reported → dispatched → en_route → on_scene → resolved → closed (reopen goes back to reported). */
export const IncidentStateSchema = z.enum(['reported', 'dispatched', 'en_route', 'on_scene', 'resolved', 'closed']);
export type IncidentState = z.infer<typeof IncidentStateSchema>;
export const INCIDENT_STATES = IncidentStateSchema.options;
/** States in which an incident still needs someone: its units are not available. */
export const OPEN_INCIDENT_STATES: readonly IncidentState[] = ['reported', 'dispatched', 'en_route', 'on_scene'];

export const IncidentSourceSchema = z.enum(['alarm', 'external', 'manual']);
export type IncidentSource = z.infer<typeof IncidentSourceSchema>;

/**
 * A unit's part in an incident, from the dispatch command to arrival:
 * sent → delivered (the device's cmd/ack) → accepted | refused (the person's cmd/answer) | timed_out
 * (no answer within incidents.dispatch.acceptTimeoutSeconds) → en_route (with acceptance) → on_scene (GPS).
 */
export const DispatchStateSchema = z.enum(['sent', 'delivered', 'accepted', 'refused', 'timed_out', 'en_route', 'on_scene']);
export type DispatchState = z.infer<typeof DispatchStateSchema>;

export const IncidentUnitSchema = z.object({
  unitId: UnitIdSchema,
  /** id of the dispatch command sent to the unit (its ack carries it) */
  commandId: z.string(),
  state: DispatchStateSchema,
  sentAt: z.iso.datetime(),
  /** when the device confirmed receipt (cmd/ack ok) */
  deliveredAt: z.iso.datetime().nullable(),
  /** when the person accepted or refused (cmd/answer), or the answer timed out */
  answeredAt: z.iso.datetime().nullable(),
  enRouteAt: z.iso.datetime().nullable(),
  onSceneAt: z.iso.datetime().nullable(),
  /** the person's reason for a refusal, or the device's message when it could not take the order */
  message: z.string().nullable(),
});
export type IncidentUnit = z.infer<typeof IncidentUnitSchema>;

export const IncidentSchema = z.object({
  id: z.number().int(),
  /** sos, geofence_enter, illegal_parking, hotline, … */
  type: z.string(),
  source: IncidentSourceSchema,
  alarmId: z.number().int().nullable(),
  /** the unit whose alarm raised it, if any */
  unitId: z.string().nullable(),
  lat: LatSchema,
  lon: LonSchema,
  note: z.string().nullable(),
  state: IncidentStateSchema,
  district: z.string().nullable(),
  /** the external system and its id for this event (external incidents) */
  externalSource: z.string().nullable(),
  externalId: z.string().nullable(),
  /** how many reports were merged into this incident (1 = one report) */
  reportCount: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  units: z.array(IncidentUnitSchema),
});
export type Incident = z.infer<typeof IncidentSchema>;

/** One entry of an incident's audit trail: never changed once written. */
export const IncidentEventSchema = z.object({
  id: z.number().int(),
  incidentId: z.number().int(),
  ts: z.iso.datetime(),
  actor: z.string(),
  /** created, transition, reopened, dispatch_sent, unit_delivered, unit_undeliverable, unit_accepted, unit_refused, unit_timed_out, next_unit_offered, unit_en_route, unit_on_scene, merged, escalated; the notice loop's: NOTICE_TRAIL_KINDS (notices.ts) */
  kind: z.string(),
  fromState: IncidentStateSchema.nullable(),
  toState: IncidentStateSchema.nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type IncidentEvent = z.infer<typeof IncidentEventSchema>;

export const IncidentDetailSchema = IncidentSchema.extend({ timeline: z.array(IncidentEventSchema) });
export type IncidentDetail = z.infer<typeof IncidentDetailSchema>;

export const IncidentCreateSchema = z.object({
  type: z.string().min(1).max(64),
  lat: LatSchema,
  lon: LonSchema,
  /** cleaned (text.ts), not refused */
  note: freeText().max(2000).optional(),
  alarmId: RowIdSchema.optional(),
  district: z.string().max(100).optional(),
});
export type IncidentCreate = z.infer<typeof IncidentCreateSchema>;

export const IncidentListQuerySchema = z.object({
  /** open = any state before resolved; or one state */
  state: z.union([z.literal('open'), IncidentStateSchema]).optional(),
  /** one type: sos, illegal_parking, … */
  type: z.string().min(1).max(64).optional(),
  /** one district, by name */
  district: z.string().min(1).max(100).optional(),
  limit: decimalInt(1, 1000).default(100),
});
export type IncidentListQuery = z.infer<typeof IncidentListQuerySchema>;

export const IncidentIdParamsSchema = z.object({ id: RowIdParamSchema });

export const DispatchRequestSchema = z.object({
  unitIds: z.array(UnitIdSchema).min(1).max(50),
  /** cleaned (text.ts), not refused */
  note: freeText().max(1000).optional(),
});
export type DispatchRequest = z.infer<typeof DispatchRequestSchema>;

export const DispatchResponseSchema = z.object({
  dispatches: z.array(z.object({ unitId: UnitIdSchema, commandId: z.string(), state: z.literal('sent') })),
});
export type DispatchResponse = z.infer<typeof DispatchResponseSchema>;

export const TransitionRequestSchema = z.object({
  to: IncidentStateSchema,
  /** required to reopen (resolved/closed → reported) */
  reason: freeText().min(1).max(1000).optional(),
});
export type TransitionRequest = z.infer<typeof TransitionRequestSchema>;

export const ReopenRequestSchema = z.object({ reason: freeText().min(1).max(1000) });

/** A coordinator's note on the incident's trail. Cleaned (text.ts), not refused. */
export const IncidentNoteSchema = z.object({ text: freeText().min(1).max(2000) });

// ---- nearest units ----

const TypesListSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .pipe(z.array(UnitTypeSchema).min(1));

export const NearestQuerySchema = z.object({
  lat: decimalNumber().pipe(LatSchema),
  lon: decimalNumber().pipe(LonSchema),
  limit: decimalInt(1, 100).default(5),
  /** comma-separated unit types; default every type */
  types: TypesListSchema.optional(),
  /** true: also offline and assigned units (ranked the same way) */
  all: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .default(false),
});
export type NearestQuery = z.infer<typeof NearestQuerySchema>;

export const NearestUnitSchema = z.object({
  unitId: UnitIdSchema,
  name: z.string(),
  type: UnitTypeSchema,
  lat: LatSchema,
  lon: LonSchema,
  /** great-circle distance, metres */
  distanceM: z.number(),
  /** distance × route factor ÷ recent speed (median over the ETA window, floored by unit type) */
  etaSeconds: z.number(),
  online: z.boolean(),
  assignedIncidentId: z.number().int().nullable(),
});
export type NearestUnit = z.infer<typeof NearestUnitSchema>;
export const NearestResponseSchema = z.object({ units: z.array(NearestUnitSchema) });

// ---- live feed ----

export const DispatchEventSchema = z.object({
  incidentId: z.number().int(),
  unitId: UnitIdSchema,
  commandId: z.string(),
  state: DispatchStateSchema,
  ts: z.iso.datetime(),
  /** a refusal's reason, or why the device could not take the order */
  reason: z.string().optional(),
});
export type DispatchEvent = z.infer<typeof DispatchEventSchema>;

/**
 * A unit refused or did not answer in time: the hub offers the next nearest available unit (by
 * ETA) to the coordinator, who still decides. `next` is null when no unit is available.
 */
export const DispatchOfferEventSchema = z.object({
  incidentId: z.number().int(),
  /** the unit that refused or did not answer */
  unitId: UnitIdSchema,
  reason: z.enum(['refused', 'timed_out']),
  next: NearestUnitSchema.nullable(),
  ts: z.iso.datetime(),
});
export type DispatchOfferEvent = z.infer<typeof DispatchOfferEventSchema>;

/** What an alarm set in motion: the wall opens these cameras and shows the proposed units. */
export const LinkageEventSchema = z.object({
  incidentId: z.number().int(),
  alarmId: z.number().int().optional(),
  /** the place the linkage works for: the wall shows it without waiting for the alarm or incident to reach it */
  lat: z.number(),
  lon: z.number(),
  /** the unit whose alarm it was, if any */
  unitId: UnitIdSchema.optional(),
  openCameras: z.array(UnitIdSchema),
  nearest: z.array(NearestUnitSchema),
});
export type LinkageEvent = z.infer<typeof LinkageEventSchema>;

/** Nobody acknowledged in time: a supervisor must look. */
export const EscalationEventSchema = z.object({
  incidentId: z.number().int(),
  alarmId: z.number().int().optional(),
  afterSeconds: z.number(),
  ts: z.iso.datetime(),
});
export type EscalationEvent = z.infer<typeof EscalationEventSchema>;

// ---- KPIs ----

export const KpiGroupBySchema = z.enum(['unit', 'team', 'district']);
export type KpiGroupBy = z.infer<typeof KpiGroupBySchema>;

export const KpiQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    groupBy: KpiGroupBySchema.default('district'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });
export type KpiQuery = z.infer<typeof KpiQuerySchema>;

/**
 * acknowledge: an operator acknowledged the incident's alarm; dispatch: first unit sent;
 * deliver: first order on a device (cmd/ack); accept: first person accepted (cmd/answer);
 * arrive: first unit on scene; resolve: resolved. Seconds from the incident's report.
 */
export const KPI_METRICS = ['acknowledge', 'dispatch', 'deliver', 'accept', 'arrive', 'resolve'] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];

/** count, median and 90th percentile of one duration, seconds (null when none measured). */
export const KpiStatSchema = z.object({ count: z.number().int(), median: z.number().nullable(), p90: z.number().nullable() });
export type KpiStat = z.infer<typeof KpiStatSchema>;

export const KpiGroupSchema = z.object({
  /** the unit id, team or district; "(none)" when not set */
  key: z.string(),
  incidents: z.number().int(),
  /** of them, resolved by notice: the subject put it right within its grace period (notices) */
  resolvedByNotice: z.number().int(),
  acknowledge: KpiStatSchema,
  dispatch: KpiStatSchema,
  deliver: KpiStatSchema,
  accept: KpiStatSchema,
  arrive: KpiStatSchema,
  resolve: KpiStatSchema,
});
export type KpiGroup = z.infer<typeof KpiGroupSchema>;

/** One incident's times, seconds from its creation (null: not reached). */
export const IncidentKpiSchema = z.object({
  incidentId: z.number().int(),
  type: z.string(),
  district: z.string().nullable(),
  createdAt: z.iso.datetime(),
  /** resolved by notice: the subject put it right within its grace period (notices) */
  resolvedByNotice: z.boolean(),
  /** an operator acknowledged its alarm (incidents without an alarm: null) */
  acknowledgeS: z.number().nullable(),
  dispatchS: z.number().nullable(),
  /** the first dispatched device confirmed receipt */
  deliverS: z.number().nullable(),
  /** the first person accepted */
  acceptS: z.number().nullable(),
  arriveS: z.number().nullable(),
  resolveS: z.number().nullable(),
});
export type IncidentKpi = z.infer<typeof IncidentKpiSchema>;

export const KpiResponseSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  groupBy: KpiGroupBySchema,
  groups: z.array(KpiGroupSchema),
  incidents: z.array(IncidentKpiSchema),
});
export type KpiResponse = z.infer<typeof KpiResponseSchema>;

// ---- replay ----

export const ReplaySegmentSchema = z.object({
  recordingId: z.union([z.string(), z.number()]),
  unitId: z.string(),
  seq: z.number().int(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  url: z.string(),
  sha256: z.string().nullable(),
});
export type ReplaySegment = z.infer<typeof ReplaySegmentSchema>;

export const ReplayTrackPointSchema = z.object({
  ts: z.iso.datetime(),
  lat: LatSchema,
  lon: LonSchema,
  speed: z.number().nullable(),
  heading: z.number().nullable(),
});

export const ReplaySchema = z.object({
  incidentId: z.number().int(),
  /** the time axis every item below lies on */
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  segments: z.array(ReplaySegmentSchema),
  /** HLS playlists of the incident's recordings, per unit */
  playlists: z.array(z.object({ recordingId: z.union([z.string(), z.number()]), unitId: z.string(), url: z.string() })),
  tracks: z.array(z.object({ unitId: UnitIdSchema, points: z.array(ReplayTrackPointSchema) })),
  timeline: z.array(IncidentEventSchema),
});
export type Replay = z.infer<typeof ReplaySchema>;

// ---- external intake ----

export const IntakeClientCreateSchema = z.object({ name: z.string().min(1).max(200) });
export const IntakeClientSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  disabled: z.boolean(),
});
export type IntakeClient = z.infer<typeof IntakeClientSchema>;
/** Returned once at creation: the token is shown only here (its hash is kept). */
export const IntakeClientCreatedSchema = IntakeClientSchema.extend({ token: z.string() });

export const IntakeEventSchema = z.object({
  /** the reporting system's name for itself, e.g. hotline-12345, camera-ai */
  source: z.string().min(1).max(100),
  /** illegal_parking, street_encroachment, hotline, … */
  type: z.string().regex(/^[a-z0-9_.-]{1,64}$/, 'type must be 1-64 characters of a-z 0-9 _ . -'),
  lat: LatSchema,
  lon: LonSchema,
  ts: z.iso.datetime({ offset: true }),
  /** cleaned (text.ts), not refused: an external report is kept */
  description: freeText().max(2000).optional(),
  /** base64 JPEG, at most linkage.intake.snapshotMaxBytes once decoded */
  snapshot: z.string().max(16_000_000).optional(),
  externalId: z.string().min(1).max(200).optional(),
  /** what the event is about (a plate, a shop): types with a grace period (notices.grace) notice its owner before they alarm */
  subject: SubjectRefSchema.optional(),
  /** the camera that saw it, as the analytics name it */
  cameraId: z.string().min(1).max(100).optional(),
  /** true: the analytics report the subject gone (an absence report); it joins the open incident and opens none */
  cleared: z.boolean().optional(),
});
export type IntakeEvent = z.infer<typeof IntakeEventSchema>;

export const IntakeEventResultSchema = z.object({
  /** null only for a `cleared` event that matched no open incident (nothing was opened) */
  incidentId: z.number().int().nullable(),
  /** true when the event joined an incident already open for the same thing */
  merged: z.boolean(),
  reportCount: z.number().int(),
  snapshotSha256: z.string().nullable(),
});
export type IntakeEventResult = z.infer<typeof IntakeEventResultSchema>;

/** The incident service's events, as the live feed relays them to every wall (node EventEmitter's map shape). */
export type IncidentEvents = {
  /** an incident was created or changed (state, units, merged reports) */
  incident: [Incident];
  /** a unit's dispatch moved on */
  dispatch: [DispatchEvent];
  /** an alarm set linkage in motion (emitted by the hub's linkage) */
  linkage: [LinkageEvent];
  /** nobody acknowledged in time */
  escalation: [EscalationEvent];
  /** a unit refused or did not answer: the next nearest is offered */
  offer: [DispatchOfferEvent];
};
