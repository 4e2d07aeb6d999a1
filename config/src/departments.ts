// Departments (issue 16, second step): the city's units and cooperating agencies that answer for
// cases, routing by type and district, transfers, deadlines, the assessment per period, the
// 12319 hotline's complaints and the scene evidence that verification (核查) needs to close a case.
import { z } from 'zod';
import { LatSchema, LonSchema } from './ids';
import { freeText } from './text';
import { KpiStatSchema } from './incident';

/** unit: one of the city's own (an enforcement team); agency: a cooperating bureau (traffic police, commerce). */
export const DepartmentKindSchema = z.enum(['unit', 'agency']);

/** What a department must reach in a period; every target is optional (unset = not assessed). */
export const DepartmentQuotaSchema = z.object({
  /** at least this share of the cases received resolved within their deadline, 0..1 */
  inTimeRate: z.number().min(0).max(1).optional(),
  /** at most this many cases overdue */
  maxOverdue: z.number().int().min(0).optional(),
  /** the median time from received to resolved at most this many seconds */
  maxResolveMedianSeconds: z.number().positive().optional(),
});
export type DepartmentQuota = z.infer<typeof DepartmentQuotaSchema>;

export const DepartmentInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  kind: DepartmentKindSchema.default('unit'),
  /** the basemap districts it answers for (their names); empty = the whole city */
  districts: z.array(z.string().min(1).max(100)).max(100).default([]),
  /** the case types it answers for: incident types (illegal_parking), or `hotline:<category>` */
  caseTypes: z.array(z.string().min(1).max(64)).min(1).max(100),
  /** its own deadline per case type (as in caseTypes), seconds from a case's opening; a type not here takes departments.deadlines; default none */
  deadlines: z
    .record(
      z.string().min(1).max(64),
      z
        .number()
        .positive()
        .max(366 * 86400),
    )
    .default({}),
  /** its quota per day and per month */
  quota: z.object({ day: DepartmentQuotaSchema.optional(), month: DepartmentQuotaSchema.optional() }).default({}),
});
export type DepartmentInput = z.infer<typeof DepartmentInputSchema>;

export const DepartmentSchema = DepartmentInputSchema.extend({
  id: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Department = z.infer<typeof DepartmentSchema>;

export const DepartmentIdParamsSchema = z.object({ id: z.coerce.number().int().positive() });

/** The department a case is with, and its deadline. */
export const DepartmentCaseSchema = z.object({
  incidentId: z.number().int(),
  departmentId: z.number().int(),
  departmentName: z.string(),
  /** how it got there: routed when it opened, or transferred */
  routedBy: z.enum(['routing', 'transfer']),
  routedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  /** when the overdue escalation was raised, if it was */
  overdueAt: z.iso.datetime().nullable(),
  /** the department that held the case then: the overdue is charged to it even if the case moved on */
  overdueDepartmentId: z.number().int().nullable(),
});
export type DepartmentCase = z.infer<typeof DepartmentCaseSchema>;

export const TransferRequestSchema = z.object({
  departmentId: z.number().int().positive(),
  /** why: required, it goes into the trail */
  reason: freeText().min(1).max(500),
});

export const AssessmentPeriodSchema = z.enum(['day', 'month']);
export type AssessmentPeriod = z.infer<typeof AssessmentPeriodSchema>;

export const AssessmentQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  period: AssessmentPeriodSchema.default('month'),
  format: z.enum(['json', 'csv']).default('json'),
});

/** The stages of a case, each from the trail: received → dispatched → on scene → resolved, and the whole. */
export const ASSESSMENT_STAGES = ['dispatch', 'arrive', 'resolve', 'total'] as const;
export type AssessmentStage = (typeof ASSESSMENT_STAGES)[number];

/** One target against the figure: met is null when the department has no such target. */
const QuotaCheckSchema = z.object({ target: z.number().nullable(), actual: z.number().nullable(), met: z.boolean().nullable() });

export const DepartmentAssessmentSchema = z.object({
  departmentId: z.number().int(),
  name: z.string(),
  /** the period's first day, yyyy-mm-dd (in departments.timeZone) */
  period: z.string(),
  received: z.number().int(),
  resolvedByNotice: z.number().int(),
  resolvedInTime: z.number().int(),
  /** past their deadline: resolved late, or still open after it */
  overdue: z.number().int(),
  /** closed without the scene photo verification needs, by an admin's override (counted in the figures above too) */
  closedByOverride: z.number().int(),
  /** resolvedInTime / received; null with none received */
  inTimeRate: z.number().nullable(),
  /** seconds: dispatch = received→dispatched, arrive = dispatched→on scene, resolve = on scene→resolved, total = received→resolved */
  stages: z.record(z.enum(ASSESSMENT_STAGES), KpiStatSchema),
  quota: z.object({ inTimeRate: QuotaCheckSchema, maxOverdue: QuotaCheckSchema, maxResolveMedianSeconds: QuotaCheckSchema }),
  /** every target set was met (null: no target) */
  quotaMet: z.boolean().nullable(),
});
export type DepartmentAssessment = z.infer<typeof DepartmentAssessmentSchema>;

export const AssessmentResponseSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  period: AssessmentPeriodSchema,
  timeZone: z.string(),
  rows: z.array(DepartmentAssessmentSchema),
  /** the whole range per department, best first: in-time rate, then fewer overdue, then the quicker median */
  ranking: z.array(
    z.object({
      rank: z.number().int(),
      departmentId: z.number().int(),
      name: z.string(),
      received: z.number().int(),
      inTimeRate: z.number().nullable(),
      overdue: z.number().int(),
      totalMedian: z.number().nullable(),
    }),
  ),
});
export type AssessmentResponse = z.infer<typeof AssessmentResponseSchema>;

/** The 12319 hotline's complaint categories; each routes as the case type of the same name, else as `hotline`. */
export const HOTLINE_CATEGORIES = ['illegal_parking', 'street_occupation', 'noise', 'sanitation', 'construction', 'other'] as const;
export const HotlineCategorySchema = z.enum(HOTLINE_CATEGORIES);
export type HotlineCategory = z.infer<typeof HotlineCategorySchema>;

/** An operator's record of a call to the 12319 hotline. */
export const HotlineComplaintSchema = z.object({
  callerName: freeText().min(1).max(100),
  /** a mainland mobile or a landline with its area code; kept whole, shown masked */
  callerPhone: z.string().trim().min(5).max(30),
  lat: LatSchema,
  lon: LonSchema,
  category: HotlineCategorySchema,
  description: freeText().min(1).max(2000),
});
export type HotlineComplaint = z.infer<typeof HotlineComplaintSchema>;

export const HotlineComplaintResultSchema = z.object({
  complaintId: z.number().int(),
  incidentId: z.number().int(),
  /** the department it was routed to, if one answers for it */
  department: z.string().nullable(),
  /** masked: 138****1234 */
  callerPhone: z.string(),
});

/** An open hotline case where the caller said, for the wall's map (no caller's name or phone). */
export const HotlinePlaceSchema = z.object({
  incidentId: z.number().int(),
  complaintId: z.number().int(),
  category: HotlineCategorySchema,
  lat: LatSchema,
  lon: LonSchema,
});
export type HotlinePlace = z.infer<typeof HotlinePlaceSchema>;

/** A photo from the scene, stored by its SHA-256. */
export const EvidencePhotoSchema = z.object({
  id: z.number().int(),
  incidentId: z.number().int(),
  unitId: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
  receivedAt: z.iso.datetime(),
});
export type EvidencePhoto = z.infer<typeof EvidencePhotoSchema>;

export const EvidencePhotoParamsSchema = z.object({ id: z.coerce.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** The shortest reason an admin gives to close a case without its scene photo. */
export const CLOSE_OVERRIDE_REASON_MIN = 10;

/** An admin closes a case that needs a scene photo without one: the reason goes into the trail and the evidence pack. */
export const CloseOverrideRequestSchema = z.object({
  /** resolved (default) or closed */
  to: z.enum(['resolved', 'closed']).default('resolved'),
  /** why no photo can be had (the unit's camera failed, the subject left before anyone arrived, …) */
  reason: freeText().min(CLOSE_OVERRIDE_REASON_MIN).max(1000),
});
export type CloseOverrideRequest = z.infer<typeof CloseOverrideRequestSchema>;

/** The trail entries of this step (incident_events.kind); evidence_overridden: closed without its scene photo by an admin, with the reason. */
export const DEPARTMENT_TRAIL_KINDS = [
  'department_routed',
  'department_unrouted',
  'department_transferred',
  'department_overdue',
  'hotline_complaint',
  'evidence_captured',
  'evidence_overridden',
] as const;

export const DepartmentsConfigSchema = z
  .object({
    /** a case's deadline per type, seconds from its opening; default illegal_parking 3600, street_occupation 7200, hotline 86400 */
    deadlines: z.record(z.string(), z.coerce.number().positive()).default({ illegal_parking: 3600, street_occupation: 7200, hotline: 86400 }),
    /** the deadline of a type not listed in deadlines, seconds; default 86400 */
    defaultDeadlineSeconds: z.coerce.number().positive().default(86400),
    /** enforcement types whose cases close only with a photo from the scene (核查); default illegal_parking, street_occupation */
    verificationTypes: z.array(z.string()).default(['illegal_parking', 'street_occupation']),
    /** the assessment's days and months are this zone's; default Asia/Shanghai */
    timeZone: z.string().default('Asia/Shanghai'),
    /** largest evidence photo accepted, bytes; default 5000000 */
    evidenceMaxBytes: z.coerce.number().int().positive().default(5_000_000),
  })
  .prefault({});
export type DepartmentsConfig = z.infer<typeof DepartmentsConfigSchema>;
