// Options of the edge agent (CLI and UnitAgent), its GPS source spec, route files and the fleet simulator.
import { z } from 'zod';
import { LatSchema, LonSchema, UnitIdSchema } from './ids';
import { UnitCredentialSchema } from './api';

const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

/** mqtt://, mqtts://, ws:// or wss:// URL of the hub's broker. */
export const BrokerUrlSchema = z.string().refine((s) => {
  try {
    return BROKER_PROTOCOLS.includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'broker must be a URL starting with mqtt://, mqtts://, ws:// or wss:// (e.g. mqtt://hub.example:1883)');

/** A parsed `--gps` value. */
export type GpsSpec =
  | { kind: 'nmea'; device: string }
  | { kind: 'nmea-file'; path: string; /** fixes per second; 0 = as fast as possible */ rate: number }
  | { kind: 'gpsd'; host: string; port: number }
  | { kind: 'sim'; routeFile?: string };

const GPS_SPEC_HELP = 'gps must be nmea:/dev/ttyUSB0, nmea-file:path[:rate], gpsd:host:port (default gpsd:127.0.0.1:2947) or sim[:route-file]';

/** `nmea:DEVICE | nmea-file:PATH[:RATE] | gpsd[:HOST[:PORT]] | sim[:ROUTE_FILE]`. */
export const GpsSpecSchema = z.string().transform((s, ctx): GpsSpec => {
  const colon = s.indexOf(':');
  const kind = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? '' : s.slice(colon + 1);
  const fail = (why: string) => {
    ctx.addIssue({ code: 'custom', message: `${why}; ${GPS_SPEC_HELP}` });
    return z.NEVER;
  };
  switch (kind) {
    case 'nmea':
      return rest ? { kind: 'nmea', device: rest } : fail('nmea needs a device path');
    case 'nmea-file': {
      if (!rest) return fail('nmea-file needs a file path');
      const m = /^(.*):(\d+(?:\.\d+)?)$/.exec(rest);
      return m ? { kind: 'nmea-file', path: m[1]!, rate: Number(m[2]) } : { kind: 'nmea-file', path: rest, rate: 1 };
    }
    case 'gpsd': {
      const [host = '127.0.0.1', portText = '2947', ...extra] = rest ? rest.split(':') : [];
      const port = Number(portText);
      if (extra.length || !host || !Number.isInteger(port) || port < 1 || port > 65535) return fail(`bad gpsd address "${rest}"`);
      return { kind: 'gpsd', host, port };
    }
    case 'sim':
      return rest ? { kind: 'sim', routeFile: rest } : { kind: 'sim' };
    default:
      return fail(`unknown gps source "${kind}"`);
  }
});

/** A parsed `--video` value: ffmpeg's test pattern, a V4L2 camera, or an RTSP camera (H.264, passed through). */
export type VideoSourceSpec = { kind: 'testsrc' } | { kind: 'v4l2'; device: string } | { kind: 'rtsp'; url: string };

const VIDEO_SPEC_HELP = 'video must be testsrc, v4l2:/dev/video0 or an rtsp:// (rtsps://) URL';

/** `testsrc | v4l2:DEVICE | rtsp://… | rtsps://…` */
export const VideoSourceSpecSchema = z.string().transform((s, ctx): VideoSourceSpec => {
  const fail = (why: string) => {
    ctx.addIssue({ code: 'custom', message: `${why}; ${VIDEO_SPEC_HELP}` });
    return z.NEVER;
  };
  if (s === 'testsrc') return { kind: 'testsrc' };
  if (s.startsWith('v4l2:')) {
    const device = s.slice('v4l2:'.length);
    return device.startsWith('/') ? { kind: 'v4l2', device } : fail(`v4l2 needs a device path, e.g. v4l2:/dev/video0 (got "${device}")`);
  }
  if (/^rtsps?:\/\//i.test(s)) {
    try {
      return { kind: 'rtsp', url: new URL(s).toString() };
    } catch {
      return fail(`bad RTSP URL "${s}"`);
    }
  }
  return fail(`unknown video source "${s}"`);
});

/** Video settings of the agent's camera. */
export const AgentVideoOptionsSchema = z.object({
  /** the source; default the test pattern */
  source: VideoSourceSpecSchema.default({ kind: 'testsrc' }),
  /** codec sent; an RTSP source is H.264 as the camera sends it; default vp8 (h264 for RTSP) */
  codec: z.enum(['vp8', 'h264']).optional(),
  /** encoder target bitrate, kbit/s (not for RTSP, which is not re-encoded); default 800 */
  bitrateKbps: z.coerce.number().int().min(50).max(20_000).default(800),
  /** picture size WxH (test pattern and V4L2); default 640x480 */
  size: z
    .string()
    .regex(/^\d{2,5}x\d{2,5}$/, 'size must be WIDTHxHEIGHT, e.g. 1280x720')
    .default('640x480'),
  /** frames per second (test pattern and V4L2); default 15 */
  fps: z.coerce.number().int().min(1).max(60).default(15),
  /** the hub's base URL for WHIP, e.g. http://hub:8080; without it the agent has no video */
  hubUrl: z.string().url().optional(),
});
export type AgentVideoOptions = z.infer<typeof AgentVideoOptionsSchema>;

/** Options of one unit's agent, from the CLI and the environment (UNIT_ID, UNIT_SECRET, BROKER_URL). */
export const AgentOptionsSchema = z.object({
  /** the unit's id, also its MQTT username */
  unitId: UnitIdSchema,
  /** the unit's secret, issued by the hub (POST /api/units/:id/credential) */
  secret: z.string().min(1, 'secret is required (--secret or UNIT_SECRET)'),
  /** broker URL; default mqtt://127.0.0.1:1883 */
  broker: BrokerUrlSchema.default('mqtt://127.0.0.1:1883'),
  /** GPS source; default sim */
  gps: GpsSpecSchema.default({ kind: 'sim' }),
  /** folder of the store-and-forward queue; default ./agent-queue/{unitId} */
  queueDir: z.string().min(1).optional(),
  /** most unsent positions kept; the oldest are dropped beyond it; default 100000 (about 28 h at 1 Hz) */
  queueMax: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** QoS 1 messages awaiting PUBACK at once; default 100 */
  maxInFlight: z.coerce.number().int().min(1).max(65535).default(100),
  /** pino level; default info */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type AgentOptions = z.infer<typeof AgentOptionsSchema>;
export type AgentOptionsInput = z.input<typeof AgentOptionsSchema>;

const LonLatSchema = z.tuple([LonSchema, LatSchema]).rest(z.number());
const LineStringSchema = z.object({ type: z.literal('LineString'), coordinates: z.array(LonLatSchema).min(2) });

/**
 * A simulated route: a GeoJSON LineString (RFC 7946 §3.1.4), bare or in a Feature, driven as a
 * closed loop (the last point joins the first). A Feature may carry `properties.speed` in m/s.
 */
export const RouteFileSchema = z.union([
  LineStringSchema,
  z.object({
    type: z.literal('Feature'),
    geometry: LineStringSchema,
    properties: z
      .object({ speed: z.number().positive().max(150).optional() })
      .passthrough()
      .nullable()
      .optional(),
  }),
]);
export type RouteFile = z.infer<typeof RouteFileSchema>;

/** `--credentials` file of the fleet simulator: the hub's credential responses, one per unit. */
export const FleetCredentialsFileSchema = z.array(UnitCredentialSchema).min(1);

/** Flags both simulators (MQTT units, JT/T 808 terminals) take. */
const simulatorFields = {
  /** stop after this many seconds; default run until stopped */
  duration: z.coerce.number().positive().optional(),
  /** centre of the city the routes go around; default Shenzhen Futian */
  centreLat: z.coerce.number().pipe(LatSchema).default(22.54),
  centreLon: z.coerce.number().pipe(LonSchema).default(114.05),
};
const unitIdPrefix = z.string().regex(/^[A-Za-z0-9_.-]{0,40}$/);

/** Options of the fleet simulator (`npm run simulate`). */
export const FleetOptionsSchema = z
  .object({
    /** number of virtual units */
    units: z.coerce.number().int().min(1).max(100_000),
    /** broker URL; default mqtt://127.0.0.1:1883 */
    broker: BrokerUrlSchema.default('mqtt://127.0.0.1:1883'),
    /** hub base URL for creating units and issuing credentials, e.g. http://127.0.0.1:8080 */
    hub: z.string().url().optional(),
    /** operator token of the hub's REST API */
    adminToken: z.string().min(1).optional(),
    /** JSON file of credentials (FleetCredentialsFileSchema) when not using --hub */
    credentials: z.string().min(1).optional(),
    /** positions per second per unit; default 1 */
    rateHz: z.coerce.number().positive().max(100).default(1),
    ...simulatorFields,
    /** unit ids are this prefix + a number; default sim- */
    idPrefix: unitIdPrefix.default('sim-'),
    /** one queue folder per unit under it; default in-memory queues */
    queueDir: z.string().min(1).optional(),
    /** spread of connection starts, ms; default 1000 */
    staggerMs: z.coerce.number().int().min(0).default(1000),
    /** how many patrol cars drive over the speed limit (90-101 km/h), to show overspeed alarms; default 0 */
    speeders: z.coerce.number().int().min(0).default(0),
  })
  .refine((o) => !o.hub || o.adminToken, { message: '--hub needs --admin-token', path: ['adminToken'] })
  .refine((o) => o.hub || o.credentials, {
    message: 'give --hub URL with --admin-token (creates units), or --credentials FILE',
    path: ['credentials'],
  });
export type FleetOptions = z.infer<typeof FleetOptionsSchema>;
export type FleetOptionsInput = z.input<typeof FleetOptionsSchema>;

/** `npm run simulate -- --protocol jt808`: simulated JT/T 808 vehicle terminals (edge-agent/src/simulate-jt808.ts). */
export const Jt808FleetOptionsSchema = z
  .object({
    /** number of simulated terminals */
    units: z.coerce.number().int().min(1).max(100_000),
    /** the hub's JT/T 808 gateway, host:port; default the --hub URL's host (else 127.0.0.1) and port 6808 */
    gateway: z
      .string()
      .regex(/^[^\s:]+:[0-9]{1,5}$/, 'host:port')
      .optional(),
    /** hub base URL for creating the terminals' units, e.g. http://127.0.0.1:8080 */
    hub: z.string().url().optional(),
    /** operator (admin) token of the hub's REST API, with --hub */
    adminToken: z.string().min(1).optional(),
    /** JSON file of the terminals' authentication codes, kept across restarts; default jt808-sim-state.json */
    state: z.string().min(1).default('jt808-sim-state.json'),
    /** seconds between reports (JT/T 808 times are whole seconds); default 1 */
    interval: z.coerce.number().int().min(1).max(3600).default(1),
    ...simulatorFields,
    /** unit ids are this prefix + a number; default jt- */
    idPrefix: unitIdPrefix.default('jt-'),
    /** terminal i's phone number is this number + i; default 13900000000 */
    phoneBase: z.coerce.number().int().min(1).max(99_999_999_999).default(13_900_000_000),
    /** spread of connection starts, ms; default 1000 */
    staggerMs: z.coerce.number().int().min(0).default(1000),
    /** every this many seconds the terminals lose their link (a dead zone); default never */
    cutEvery: z.coerce.number().positive().optional(),
    /** how long a cut lasts, seconds: positions go to the blind-area store meanwhile; default 10 */
    cutFor: z.coerce.number().positive().default(10),
    /** the first terminal presses its emergency button after this many seconds; default never (or the s key) */
    sosAfter: z.coerce.number().min(0).optional(),
  })
  .refine((o) => !o.hub || o.adminToken, { message: '--hub needs --admin-token', path: ['adminToken'] });
export type Jt808FleetOptions = z.infer<typeof Jt808FleetOptionsSchema>;

/**
 * gpsd's TPV report (time-position-velocity), the fields the agent reads. See gpsd_json(5):
 * mode 0/1 = no fix, 2 = 2D, 3 = 3D; speed m/s; track degrees true; eph/epx/epy metres;
 * altMSL since gpsd 3.20, `alt` before.
 */
export const GpsdTpvSchema = z.looseObject({
  class: z.literal('TPV'),
  mode: z.number().int(),
  time: z.string().optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
  alt: z.number().optional(),
  altMSL: z.number().optional(),
  speed: z.number().optional(),
  track: z.number().optional(),
  eph: z.number().optional(),
  epx: z.number().optional(),
  epy: z.number().optional(),
});
export type GpsdTpv = z.infer<typeof GpsdTpvSchema>;
