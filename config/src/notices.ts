// The notice-and-escalation loop (issue 16): subjects (a vehicle plate, a shop) and their
// contacts, SMS notices to them, the grace period they get, and what the hub does when it ends.
// REST bodies, responses and the `notices` settings block of the hub's configuration.
import { z } from 'zod';

/** plate: a vehicle's number plate (traffic police data); shop: a shop or storefront id (commerce bureau data). */
export const SubjectKindSchema = z.enum(['plate', 'shop']);
export type SubjectKind = z.infer<typeof SubjectKindSchema>;

/** What an intake event is about: the analytics' plate or shop id. */
export const SubjectRefSchema = z.object({
  kind: SubjectKindSchema,
  /** a plate as printed (粤B12345: spaces and case do not matter), or the shop's registered id */
  id: z.string().trim().min(1).max(64),
});
export type SubjectRef = z.infer<typeof SubjectRefSchema>;

/** A subject as the API shows it: the phone masked (138****1234) unless an admin asked for it. */
export const SubjectSchema = z.object({
  kind: SubjectKindSchema,
  id: z.string(),
  name: z.string(),
  /** masked: 138****1234 */
  phone: z.string(),
  updatedAt: z.iso.datetime(),
});
export type Subject = z.infer<typeof SubjectSchema>;

export const SubjectKeyParamsSchema = z.object({ kind: SubjectKindSchema, id: z.string().min(1).max(64) });

/** The full number, for an admin (the view is audited). */
export const SubjectContactSchema = z.object({ kind: SubjectKindSchema, id: z.string(), name: z.string(), phone: z.string() });

export const SubjectImportReportSchema = z.object({
  /** data rows read (the header not counted) */
  rows: z.number().int(),
  /** rows inserted or updated */
  accepted: z.number().int(),
  /** each refused row: its line in the file (1 = the header) and why */
  rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});
export type SubjectImportReport = z.infer<typeof SubjectImportReportSchema>;

/**
 * A case's phase: noticed (the subject was told; its grace period runs) → escalated (still there
 * at the end: an alarm and the incident's linkage) | resolved_by_notice (a cleared event within
 * grace) | recheck (grace ended without a re-detection in its last part: a re-detection or an
 * operator's confirmation escalates it) | closed (the incident ended another way).
 */
export const NoticeCasePhaseSchema = z.enum(['noticed', 'recheck', 'escalated', 'resolved_by_notice', 'closed']);
export type NoticeCasePhase = z.infer<typeof NoticeCasePhaseSchema>;

/** A notice's way: pending → submitted (the gateway took it) → delivered | failed; or rate_limited (not sent). */
export const NoticeStateSchema = z.enum(['pending', 'sending', 'submitted', 'delivered', 'failed', 'rate_limited']);
export type NoticeState = z.infer<typeof NoticeStateSchema>;

export const NoticeSchema = z.object({
  id: z.number().int(),
  incidentId: z.number().int(),
  /** masked: 138****1234 */
  phone: z.string(),
  language: z.enum(['zh-CN', 'en']),
  text: z.string(),
  channel: z.string(),
  state: NoticeStateSchema,
  /** the gateway's id for the message (SMPP message_id, the provider's BizId) */
  messageId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type Notice = z.infer<typeof NoticeSchema>;

export const NoticeCaseSchema = z.object({
  incidentId: z.number().int(),
  subject: SubjectRefSchema,
  cameraId: z.string().nullable(),
  phase: NoticeCasePhaseSchema,
  graceEndsAt: z.iso.datetime(),
  /** the latest detection of the subject at the place */
  lastSeenAt: z.iso.datetime(),
  notices: z.array(NoticeSchema),
});
export type NoticeCase = z.infer<typeof NoticeCaseSchema>;

/**
 * A delivery report as the HTTP provider posts it (Alibaba Cloud's SmsReport shape: a JSON array,
 * one element per text). Fields the hub does not use are kept by passthrough and ignored.
 */
export const HttpSmsReceiptSchema = z.looseObject({
  /** the id the provider answered at submission (BizId) */
  biz_id: z.string().min(1).max(100),
  /** true: on the handset */
  success: z.boolean(),
  /** the network's word for the final state: DELIVERED, or the failure's code (e.g. MOBILE_NOT_ON_SERVICE) */
  err_code: z.string().max(100).default(''),
  err_msg: z.string().max(500).optional(),
  report_time: z.string().max(40).optional(),
});
export type HttpSmsReceipt = z.infer<typeof HttpSmsReceiptSchema>;

export const HttpSmsReceiptsSchema = z.array(HttpSmsReceiptSchema).min(1).max(1000);

/** The hub's answer to a receipt post: how many it matched to a notice (the provider wants code 0 to stop retrying). */
export const HttpSmsReceiptAnswerSchema = z.object({ code: z.literal(0), msg: z.string(), recorded: z.number().int(), unknown: z.number().int() });

export const NoticeCaseParamsSchema = z.object({ incidentId: z.coerce.number().int().positive() });

/**
 * The trail entries the loop writes (incident_events.kind): the case opened and the text queued,
 * the gateway's answer, the receipt, the grace period's end, and how the case ended.
 */
export const NOTICE_TRAIL_KINDS = [
  'noticed',
  'notice_skipped',
  'notice_rate_limited',
  'notice_submitted',
  'notice_delivered',
  'notice_failed',
  'grace_ended',
  'notice_escalated',
  'resolved_by_notice',
  'subject_cleared',
] as const;

const seconds = z.coerce.number().positive();

/** One event type's grace: how long the subject has, and which last part of it a re-detection must fall in to escalate. */
const GraceRuleSchema = z.object({
  /** the subject's time to put things right, seconds */
  graceSeconds: seconds,
  /** a re-detection within this many seconds before the grace period ends (or after it) escalates; default 120 */
  recheckSeconds: seconds.default(120),
});

const TemplateSchema = z.object({
  /** e.g. 【城管】您的车辆{subject}在{place}违停，请于{minutes}分钟内驶离。 */
  'zh-CN': z.string().min(1).max(500),
  en: z.string().min(1).max(500),
});

export const NoticesConfigSchema = z
  .object({
    /**
     * event types that get a notice and a grace period before they alarm; types not listed alarm
     * at once as before. Default illegal_parking 600 s, street_occupation 1800 s.
     */
    grace: z.record(z.string(), GraceRuleSchema).default({
      illegal_parking: { graceSeconds: 600, recheckSeconds: 120 },
      street_occupation: { graceSeconds: 1800, recheckSeconds: 300 },
    }),
    /** the text per event type, with {subject} {name} {minutes} {place}; default for illegal_parking and street_occupation */
    templates: z.record(z.string(), TemplateSchema).default({
      illegal_parking: {
        'zh-CN': '【城市管理】{name}您好，您的车辆{subject}在{place}违法停放，请于{minutes}分钟内驶离，逾期将依法处理。',
        en: 'City management: {name}, your vehicle {subject} is parked illegally at {place}. Please move it within {minutes} minutes.',
      },
      street_occupation: {
        'zh-CN': '【城市管理】{name}您好，您的店铺在{place}占道经营，请于{minutes}分钟内收回，逾期将依法处理。',
        en: 'City management: {name}, your shop is occupying the street at {place}. Please clear it within {minutes} minutes.',
      },
    }),
    /** the language of the texts; default zh-CN */
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    /** at most this many texts to one subject within windowSeconds (more are not sent, said in the trail); default 3 per 86400 s */
    rateLimit: z
      .object({
        perSubject: z.coerce.number().int().min(1).default(3),
        windowSeconds: seconds.default(86400),
      })
      .prefault({}),
    /** an SMPP 3.4 gateway (SMSC); unset = none. With neither smpp nor http the loop is off and every event alarms at once. */
    smpp: z
      .object({
        host: z.string().min(1),
        /** default 2775 (IANA smpp) */
        port: z.coerce.number().int().min(1).max(65535).default(2775),
        system_id: z.string().min(1).max(15),
        /** never logged */
        password: z.string().max(8),
        /** source_addr: the number or name the texts come from; default empty (the SMSC's) */
        sourceAddr: z.string().max(20).default(''),
        /** transceiver receives delivery receipts (deliver_sm) on the same link; transmitter does not; default transceiver */
        bindAs: z.enum(['transceiver', 'transmitter']).default('transceiver'),
        /** enquire_link period, seconds; default 30 */
        enquireLinkSeconds: seconds.default(30),
        /** wait for the SMSC's answer to a bind or submit_sm, seconds; default 10 */
        timeoutSeconds: seconds.default(10),
      })
      .optional(),
    /**
     * an HTTP SMS provider shaped like the mainstream Chinese APIs (template id + parameters JSON),
     * each request signed with Alibaba Cloud's V3 scheme (ACS3-HMAC-SHA256); unset = none
     */
    http: z
      .object({
        /** the provider's send endpoint, e.g. https://dysmsapi.example/ */
        url: z.string().url(),
        /** the AccessKey ID, named in each request's Authorization header */
        accessKeyId: z.string().min(1),
        /** the AccessKey secret that signs each request (HMAC-SHA256); never sent, never logged */
        accessKeySecret: z.string().min(1),
        /** x-acs-action; default SendSms */
        action: z.string().min(1).default('SendSms'),
        /** x-acs-version, the API's version; default 2017-05-25 (Dysmsapi) */
        version: z.string().min(1).default('2017-05-25'),
        /** the approved signature (签名), e.g. 城市管理 */
        signName: z.string().min(1),
        /** the provider's template id per event type (the text is the provider's; our template is kept in the trail) */
        templateIds: z.record(z.string(), z.string().min(1)),
        /** default 10 */
        timeoutSeconds: seconds.default(10),
        /**
         * delivery receipts the provider posts to POST /api/notices/receipts/http, signed with this
         * shared secret (HMAC-SHA256 over "{x-sms-timestamp}\n{body}"); unset = receipts refused
         */
        receipts: z
          .object({
            /** the shared secret, at least 16 characters; never logged */
            secret: z.string().min(16),
            /** a receipt whose x-sms-timestamp is further than this from the hub's clock is refused (a replay), seconds; default 300 */
            maxSkewSeconds: seconds.default(300),
          })
          .optional(),
      })
      .optional(),
  })
  .prefault({});
export type NoticesConfig = z.infer<typeof NoticesConfigSchema>;
