// The hub's configuration file, with its defaults. See `load-config.ts` for the file + environment loader.
import { z } from 'zod';
import { IceServerSchema, MediaCorsOriginsSchema } from './media';
import { LoginLockoutSchema } from './operators';
import { BasemapConfigSchema } from './basemap';
import { NoticesConfigSchema } from './notices';
import { DepartmentsConfigSchema } from './departments';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().positive();
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** What an alarm (or external event) of one type sets in motion. `defaults` differ per type. */
function linkageRule(d: { createIncident: boolean; startStream: boolean; record: boolean; openCameras: boolean; proposeNearest: number; escalateAfterSeconds: number }) {
  return z
    .object({
      /** open an incident for it */
      createIncident: flag.default(d.createIncident),
      /** start the unit's camera (on demand) */
      startStream: flag.default(d.startStream),
      /** record the unit's stream while the incident is open */
      record: flag.default(d.record),
      /** tell the walls to open the unit's camera */
      openCameras: flag.default(d.openCameras),
      /** propose this many nearest available units; 0 = none */
      proposeNearest: z.coerce.number().int().min(0).max(20).default(d.proposeNearest),
      /** unit types proposed; default every type */
      nearestTypes: z.array(z.enum(['vehicle', 'bodycam'])).optional(),
      /** escalate to a supervisor when nobody acknowledged within this many seconds; 0 = never */
      escalateAfterSeconds: z.coerce.number().min(0).default(d.escalateAfterSeconds),
    })
    .prefault({});
}
export type LinkageRule = z.infer<ReturnType<typeof linkageRule>>;
const all = { createIncident: true, startStream: true, record: true, openCameras: true, proposeNearest: 3, escalateAfterSeconds: 60 };
const quiet = { createIncident: false, startStream: false, record: false, openCameras: false, proposeNearest: 0, escalateAfterSeconds: 0 };

export const HubConfigSchema = z.object({
  /** which plugins this process runs; default all of them */
  roles: z.array(z.enum(['telemetry', 'media', 'wall'])).default(['telemetry', 'media', 'wall']),
  /** folder for the embedded database, the generated admin token and other state; default ./data */
  dataDir: z.string().default('./data'),
  http: z
    .object({
      /** default 0.0.0.0 */
      host: z.string().default('0.0.0.0'),
      /** REST API, socket.io, MQTT over WebSocket; default 8080 */
      port: port.default(8080),
      /**
       * the reverse proxies (addresses or CIDRs, e.g. ["10.0.0.5"]) whose X-Forwarded-For names the
       * client: the login lock-out and the audit log then see the operator's address, not the
       * proxy's; default none (the header is ignored, as anyone can send it)
       */
      trustProxy: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  mqtt: z
    .object({
      /** default 0.0.0.0 */
      host: z.string().default('0.0.0.0'),
      /** MQTT over TCP; default 1883 */
      port: port.default(1883),
      /** path of MQTT over WebSocket on the HTTP port; default /mqtt */
      wsPath: z.string().startsWith('/').default('/mqtt'),
      /**
       * largest MQTT packet a client may send, bytes (fixed header included); a bigger one
       * closes its connection before its body is read. A position is about 200 bytes and a
       * CONNECT with a will well under 1 KiB, so 8 KiB leaves room while a flood of
       * connections cannot make the hub buffer more than that each; default 8192
       */
      maxPacketBytes: z.coerce.number().int().min(256).max(268_435_455).default(8192),
      /**
       * failed logins (wrong secret, unknown or disabled unit) tolerated per source address
       * within `windowSeconds`; past either limit CONNECTs from there are refused with
       * CONNACK 3 (server unavailable, so devices retry) without checking the secret
       */
      loginFailures: z
        .object({
          /** failures for one unit id from one address; default 10 */
          perUnit: z.coerce.number().int().min(1).default(10),
          /** failures for all unit ids together from one address (a NAT of many units); default 100 */
          perAddress: z.coerce.number().int().min(1).default(100),
          /** the sliding window, seconds; default 60 */
          windowSeconds: seconds.default(60),
        })
        .prefault({}),
    })
    .prefault({}),
  /** the JT/T 808 gateway for vehicle terminals (TCP; README "Vehicle terminals (JT/T 808)") */
  jt808: z
    .object({
      /** false: the gateway does not listen; default true */
      enabled: flag.default(true),
      /** default 0.0.0.0 */
      host: z.string().default('0.0.0.0'),
      /** the TCP port terminals dial (their "main server" setting); 0 = any free port (tests); default 6808 */
      port: port.default(6808),
      /**
       * a connection that sends nothing for this long is closed and its unit goes offline; terminals
       * send a heartbeat 0x0002 every 30-60 s (parameter 0x0001), so three missed ones; default 180
       */
      idleTimeoutSeconds: seconds.default(180),
      /** how long a terminal has to answer a dispatch's text 0x8300 with 0x0001 before the hub stops waiting (the dispatch stays "sent"), seconds; default 60 */
      commandAnswerSeconds: seconds.default(60),
      /** how long "Locate now" (0x8201) waits for the terminal's 0x0201, seconds; default 10 */
      locateTimeoutSeconds: seconds.default(10),
      /** the TCP port terminals send JT/T 1078 video to (named in 0x9101); 0 = any free port (tests); default 6809 */
      mediaPort: port.default(6809),
      /** the media server's address put in 0x9101 (an IP or host name the terminals reach); default the address each terminal's JT/T 808 connection came in on */
      mediaAddress: z.string().min(1).max(255).optional(),
    })
    .prefault({}),
  database: z
    .object({
      /** postgres://… of an external PostgreSQL or TimescaleDB; unset = embedded server */
      url: z.string().url().optional(),
      /** port of the embedded server; default 5433 */
      embeddedPort: port.default(5433),
      /** pool size; default 10 */
      poolSize: z.coerce.number().int().min(1).max(200).default(10),
      /** how long a query waits for a new connection before it fails (503 HUB_ERR_DB_UNAVAILABLE), ms; default 5000 */
      connectTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(5000),
    })
    .prefault({}),
  auth: z
    .object({
      /** operator token for the API and live feed; unset = generated at first start and kept in dataDir */
      adminToken: z.string().min(16, 'admin token must be at least 16 characters').optional(),
      /** how long an operator's login lasts, hours; default 12 */
      sessionHours: z.coerce
        .number()
        .positive()
        .max(24 * 30)
        .default(12),
      /** failed-login lock-out per username and source address (config/src/operators.ts); default 5 per pair, 20 per source, 300 s */
      lockout: LoginLockoutSchema,
    })
    .prefault({}),
  ingest: z
    .object({
      /** most positions in one database write; default 5000 */
      maxBatch: z.coerce.number().int().min(1).max(50000).default(5000),
      /** longest wait for a batch to fill, ms; default 20 */
      flushMs: z.coerce.number().int().min(0).max(5000).default(20),
      /** writer lanes (split by unit), each with one batch in flight; default 2 */
      concurrency: z.coerce.number().int().min(1).max(16).default(2),
      /** queued positions beyond which units are slowed (no new reads until commit); default 50000 */
      maxBacklog: z.coerce.number().int().min(100).default(50000),
      /** positions timed more than this far ahead of the hub's clock are refused (a GPS fix is timed by satellites: minutes ahead is a faulty clock); default 30 */
      maxFutureSeconds: seconds.default(30),
    })
    .prefault({}),
  live: z
    .object({
      /** how often each wall gets a coalesced batch, ms; default 100 (at most 10 messages a second) */
      flushMs: z.coerce.number().int().min(20).max(10000).default(100),
    })
    .prefault({}),
  alarms: z
    .object({
      /** a unit without a connection and not heard from for this long is offline (disconnected); default 120 */
      offlineAfterSeconds: seconds.default(120),
      /** a connected unit with no position for this long raises no_position (no GPS fix); default 120 */
      noPositionAfterSeconds: seconds.default(120),
      /** battery at or below this percent alarms; default 15 */
      lowBatteryPercent: z.coerce.number().min(0).max(100).default(15),
      /** speed limit by unit type, km/h; default vehicle 80, bodycam 25 */
      overspeedKmh: z.object({ vehicle: z.coerce.number().positive().default(80), bodycam: z.coerce.number().positive().default(25) }).prefault({}),
      /**
       * Flood control: at most `maxPerWindow` alarms of one kind from one unit within `windowSeconds`;
       * beyond that a repeat is counted on the newest stored one (its `repeats`) instead of raising a new
       * alarm. SOS and escalations are never thinned. Default 3 per 300 s; maxPerWindow 0 = no thinning.
       */
      flood: z
        .object({
          windowSeconds: seconds.default(300),
          maxPerWindow: z.coerce.number().int().min(0).max(1000).default(3),
        })
        .prefault({}),
    })
    .prefault({}),
  media: z
    .object({
      /**
       * the SFU engine: 'werift' (in this process) or 'mediasoup' (the C++ workers `npm ci` builds,
       * `workers` of them; README "Media engine"); default 'werift'
       */
      engine: z.enum(['werift', 'mediasoup']).default('werift'),
      /** mediasoup: how many workers (a process, one core, each); default the number of cores (os.availableParallelism()) */
      workers: z.coerce.number().int().min(1).optional(),
      /**
       * mediasoup: viewers one worker serves before a stream's next viewer goes to another worker
       * (piped there); when every worker has this many, a viewer more is refused (503
       * HUB_ERR_VIEWER_LIMIT). Measured with `npm run bench:workers` (bench/RESULTS.md): one
       * worker carried 400 SRTP viewers of a 1 Mbit/s stream with no loss at 70 % of a core and
       * lost 3.9 % at 500; default 400. 0 = no limit.
       */
      viewersPerWorker: z.coerce.number().int().min(0).default(400),
      /**
       * mediasoup: worker i takes all its WebRTC traffic on UDP and TCP port rtcPort + i (its
       * WebRtcServer), so a firewall opens rtcPort … rtcPort + workers - 1; default 40000; 0 = any free port
       */
      rtcPort: port.default(40000),
      /** werift: UDP port range for WebRTC (ICE), e.g. [40000, 40999]; default any free port (mediasoup uses rtcPort) */
      portRange: z.tuple([port, port]).optional(),
      /** extra host addresses offered as ICE candidates (an announced IP behind NAT, or 127.0.0.1); default none */
      additionalHostAddresses: z.array(z.string()).default([]),
      /** a unit's stream nobody has watched for this long is stopped (its unit told stream.stop); default 60 */
      idleStopSeconds: z.coerce.number().positive().default(60),
      /** how long a start on demand may take before the wall is told it failed; default 10 */
      startTimeoutSeconds: z.coerce.number().positive().default(10),
      /** STUN/TURN servers given to browsers (signalling `hello`, GET /api/media/ice-servers); default none (host candidates only) */
      iceServers: z.array(IceServerSchema).default([]),
      /**
       * a TURN server (coturn with use-auth-secret): each client gets its own credential for
       * `ttlSeconds`, made from the shared secret (TURN REST API), added to iceServers; default none
       */
      turn: z
        .object({
          /** e.g. ["turn:turn.example:3478?transport=udp", "turn:turn.example:3478?transport=tcp"] */
          urls: z.array(z.string().regex(/^turns?:/, 'a TURN url starts with turn: or turns:')).min(1),
          /** coturn's static-auth-secret */
          secret: z.string().min(16, 'the TURN secret must be at least 16 characters'),
          /** how long a credential stays valid; default 86400 */
          ttlSeconds: z.coerce.number().int().positive().default(86400),
        })
        .optional(),
      /**
       * werift: viewers the SFU takes at once, all streams together; one more is refused (503
       * HUB_ERR_VIEWER_LIMIT) rather than overloading the SFU's one thread until it drops the
       * publishers for everyone. The werift SFU filled a core at about 200 viewers of a
       * 1 Mbit/s stream (bench/RESULTS.md); default 150. 0 = no limit. (mediasoup: viewersPerWorker)
       */
      maxViewers: z.coerce.number().int().min(0).default(150),
      /** a publisher that sends nothing for this long is taken as gone (its viewers show reconnecting); default 5 */
      publisherSilenceSeconds: z.coerce.number().positive().default(5),
      /** web origins allowed to use WHIP/WHEP from another origin (CORS), "*" any; default none */
      corsOrigins: MediaCorsOriginsSchema,
    })
    .prefault({}),
  retention: z
    .object({
      /** positions older than this are dropped; default 90 */
      positionsDays: z.coerce.number().int().min(1).default(90),
    })
    .prefault({}),
  recording: z
    .object({
      /** recordings that ended more than this many days ago are deleted (unless kept, e.g. by an open incident); default 30 */
      retentionDays: z.coerce.number().positive().default(30),
      /** how often the retention sweep runs, seconds; default 3600 */
      sweepIntervalSeconds: z.coerce.number().positive().default(3600),
      /** target segment length, seconds (a segment is cut at the next keyframe after it); default 2 */
      segmentSeconds: z.coerce.number().positive().max(60).default(2),
    })
    .prefault({}),
  linkage: z
    .object({
      /** per alarm kind (and external event type): what happens. Types not listed use `external`. */
      rules: z
        .object({
          /** default: everything (incident, camera, recording, wall, 3 nearest, escalate after 60 s) */
          sos: linkageRule(all),
          /** default: incident, open the camera on the wall, 2 nearest, escalate after 300 s */
          geofence_enter: linkageRule({ ...quiet, createIncident: true, openCameras: true, proposeNearest: 2, escalateAfterSeconds: 300 }),
          geofence_exit: linkageRule({ ...quiet, createIncident: true, openCameras: true, proposeNearest: 2, escalateAfterSeconds: 300 }),
          /** default: nothing beyond the alarm */
          overspeed: linkageRule(quiet),
          offline: linkageRule(quiet),
          no_position: linkageRule(quiet),
          low_battery: linkageRule(quiet),
          /** default: nothing beyond the alarm (the recorder restarts its ffmpeg by itself) */
          recording_stalled: linkageRule(quiet),
          /** a device's own alarm: incident, camera, recording, wall, 2 nearest, escalate after 300 s */
          device: linkageRule({ ...all, proposeNearest: 2, escalateAfterSeconds: 300 }),
          /** any external event type (illegal_parking, street_encroachment, hotline…): incident, 3 nearest, escalate after 600 s */
          external: linkageRule({ ...quiet, createIncident: true, proposeNearest: 3, escalateAfterSeconds: 600 }),
        })
        .catchall(linkageRule({ ...quiet, createIncident: true, proposeNearest: 3, escalateAfterSeconds: 600 }))
        .prefault({}),
      /** a dispatched unit within this distance of the incident is on scene, metres; default 50 */
      onSceneRadiusM: z.coerce.number().positive().default(50),
      /** recent speed for arrival estimates: the median over this many minutes; default 10 */
      etaWindowMinutes: z.coerce.number().positive().default(10),
      /** road distance ÷ straight distance for arrival estimates; default 1.3 */
      routeFactor: z.coerce.number().min(1).default(1.3),
      /** speed assumed without recent positions, m/s; default vehicle 8 (29 km/h), bodycam 1.4 (walking) */
      defaultSpeedMps: z.object({ vehicle: z.coerce.number().positive().default(8), bodycam: z.coerce.number().positive().default(1.4) }).prefault({}),
      /** the least speed an estimate uses (a parked unit still drives off), m/s; default vehicle 4, bodycam 1 */
      minSpeedMps: z.object({ vehicle: z.coerce.number().positive().default(4), bodycam: z.coerce.number().positive().default(1) }).prefault({}),
      intake: z
        .object({
          /** events of one type this close to an open incident of that type merge into it, metres; default 100 */
          mergeRadiusM: z.coerce.number().min(0).default(100),
          /** … if that incident was last reported within this many minutes; default 30 */
          mergeWindowMinutes: z.coerce.number().min(0).default(30),
          /** largest snapshot accepted, bytes (decoded); default 2000000 */
          snapshotMaxBytes: z.coerce.number().int().min(1).default(2_000_000),
        })
        .prefault({}),
    })
    .prefault({}),
  incidents: z
    .object({
      dispatch: z
        .object({
          /** a dispatch the person has not accepted (or refused) within this many seconds is timed out and the next nearest unit is offered to the coordinator; default 60 */
          acceptTimeoutSeconds: z.coerce.number().positive().default(60),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * Several hubs as one (issue 14): set `redisUrl` and every hub that shares it and the
   * database is a member. Unset (the default), the hub works alone and needs no Redis.
   */
  cluster: z
    .object({
      /** e.g. redis://127.0.0.1:6379; default none: this hub works alone */
      redisUrl: z.string().url().optional(),
      /** this hub's name in the cluster; default `<hostname>-<pid>` */
      hubId: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/)
        .optional(),
      /** a hub that has not renewed its lease for this long is taken as dead and its units go offline, ms; default 5000 */
      leaseMs: z.coerce.number().int().min(500).max(60_000).default(5000),
      /**
       * the lease is renewed from a thread of its own, so a busy hub keeps it; a hub whose main
       * thread is stuck this long lets it lapse and is taken as dead, ms; default 30000
       */
      stallMs: z.coerce.number().int().min(1000).max(600_000).default(30_000),
      /**
       * this hub's HTTP base URL as the other hubs reach it (a viewer's WHEP signalling is relayed
       * to the hub that hosts the stream), e.g. http://10.0.0.7:8080; default http://<http.host, or
       * this machine's hostname when it is 0.0.0.0>:<the port it listens on>
       */
      advertiseUrl: z.string().url().optional(),
    })
    .prefault({}),
  /** the notice-and-escalation loop: grace per event type, SMS templates, the SMPP or HTTP gateway (notices.ts); default no gateway (off) */
  notices: NoticesConfigSchema,
  /** departments: case deadlines per type, which types need scene evidence to close, the assessment's time zone (departments.ts) */
  departments: DepartmentsConfigSchema,
  log: z
    .object({
      /** pino level; default info */
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  /** the wall's basemap: tile server, datum (wgs84 | gcj02), offline GeoJSON; see basemap.ts */
  basemap: BasemapConfigSchema,
});
export type HubConfig = z.infer<typeof HubConfigSchema>;
export type HubConfigInput = z.input<typeof HubConfigSchema>;
