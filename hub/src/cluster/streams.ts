// Media across hubs (README "Several hubs"): a stream's publisher lands on one hub, and the
// cluster's stream registry in Redis says which. This hub keeps its own entries true (a stream
// whose producer it hosts, until the producer closes; its lease takes them with it when it
// dies), and relays a viewer's WHEP signalling to the hub that hosts the stream: the viewer's
// own bearer token goes with it (operator sessions are in PostgreSQL, valid on every hub), and
// the answer's ICE candidates are that hub's, so media flows between the viewer and it.
// Not a 307: browsers drop Authorization on a cross-origin redirect (Fetch, "HTTP-redirect
// fetch" step 13), so the wall would have to know the other hub's origin and hold its token.
import type { Logger } from 'pino';
import type { ClusterMember } from '@hub/cluster';
import { HubError } from '@hub/platform';
import { RELAYED_HEADER, type RelayedAnswer, type RelayedRequest, type Router, type WhepRelay } from '@hub/media-server';
import { StreamInfoSchema, type StreamInfo } from '@hub/config';

/** how often the registry is brought in line with the router, as a backstop to the producer events, ms */
const RECONCILE_MS = 1000;
/** how long the hosting hub has to answer a relayed request (it gathers ICE candidates before it answers), ms */
const RELAY_TIMEOUT_MS = 15_000;
/** how long another hub has to list its streams before the list goes without them, ms */
const LIST_TIMEOUT_MS = 3000;

/** The hub that hosts a stream does not answer: 502 with what to do. */
export class StreamHostUnreachableError extends HubError {
  constructor(streamId: string, hubId: string, why: string) {
    super(
      'HUB_ERR_STREAM_HOST_UNREACHABLE',
      502,
      `stream "${streamId}" is hosted by hub ${hubId}, which this hub cannot reach (${why}); if that hub is down its publisher reconnects to another hub: try again in a few seconds`,
    );
  }
}

export class ClusterStreams implements WhepRelay {
  /** the streams this hub has registered as its own */
  readonly #registered = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  readonly #offResync: () => void;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly member: ClusterMember,
    private readonly router: Router,
    private readonly log: Logger,
  ) {
    this.#timer = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.#timer.unref();
    // Redis came back empty, or this hub was taken for dead: its streams register again
    const onResync = () => {
      this.#registered.clear();
      this.reconcile();
    };
    member.on('resync', onResync);
    this.#offResync = () => member.off('resync', onResync);
  }

  /**
   * Brings the registry in line with the router's producers. Called after a publish is taken
   * (the producer is added right after the publish hook), when a producer closes, and every
   * RECONCILE_MS for the producers that come in another way (a JT/T 1078 terminal).
   */
  reconcile(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#reconcile()
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'cluster: the stream registry was not updated; retrying'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.reconcile();
        }
      });
  }

  async #reconcile(): Promise<void> {
    if (!this.member.redisUp) return;
    for (const [streamId, producer] of this.router.producers) {
      if (this.#registered.has(streamId)) continue;
      await this.member.streamHosted(streamId);
      this.#registered.add(streamId);
      producer.once('close', () => setImmediate(() => this.reconcile()));
    }
    for (const streamId of this.#registered) {
      if (this.router.producers.has(streamId)) continue;
      await this.member.streamGone(streamId);
      this.#registered.delete(streamId);
    }
  }

  get hubId(): string {
    return this.member.hubId;
  }

  /** GETs `path` of another hub with `token` (a recording's segment file); throws when that hub cannot be reached or refuses. */
  async fetchFrom(hubId: string, path: string, token: string): Promise<Response> {
    const url = this.member.redisUp ? await this.member.urlOf(hubId) : undefined;
    if (!url) throw new Error(`hub ${hubId} holds no lease (stopped, or Redis cannot be reached)`);
    const res = await fetch(new URL(path, url), { headers: { authorization: `Bearer ${token}`, [RELAYED_HEADER]: this.member.hubId }, signal: AbortSignal.timeout(RELAY_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`hub ${hubId} answered HTTP ${res.status}`);
    return res;
  }

  /** The other hubs that hold a lease now; throws while Redis cannot be reached. */
  async otherLiveHubs(): Promise<string[]> {
    if (!this.member.redisUp) throw new Error('Redis cannot be reached');
    return (await this.member.otherHubs()).map((h) => h.hubId);
  }

  async otherHubsStreams(token: string | undefined): Promise<{ streams: StreamInfo[]; unreachable: string[] }> {
    if (!this.member.redisUp) return { streams: [], unreachable: [] };
    const hubs = await this.member.otherHubs();
    const answers = await Promise.all(
      hubs.map(async ({ hubId, url }) => {
        if (!url) return { hubId, streams: undefined };
        try {
          const res = await fetch(new URL('/api/streams', url), {
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), [RELAYED_HEADER]: this.member.hubId },
            signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return {
            hubId,
            streams: StreamInfoSchema.array()
              .parse(await res.json())
              .map((s) => ({ ...s, hubId })),
          };
        } catch (err) {
          this.log.warn({ hubId, url, why: (err as Error).message }, 'cluster: another hub did not list its streams; the list goes without them');
          return { hubId, streams: undefined };
        }
      }),
    );
    return {
      streams: answers.flatMap((a) => a.streams ?? []),
      unreachable: answers.filter((a) => !a.streams).map((a) => a.hubId),
    };
  }

  /** The other hub that hosts the stream's producer (its URL undefined once its lease ran out); undefined when this one or none does. */
  async otherHost(streamId: string): Promise<{ hubId: string; url: string | undefined } | undefined> {
    const host = this.member.redisUp ? await this.member.streamHost(streamId) : undefined;
    return host && host.hubId !== this.member.hubId ? host : undefined;
  }

  async hostOf(streamId: string): Promise<{ send(request: RelayedRequest): Promise<RelayedAnswer> } | undefined> {
    const host = await this.otherHost(streamId);
    return host && { send: (request) => this.#send(streamId, host.hubId, host.url, request) };
  }

  /**
   * Calls the hub that hosts `streamId` at `path` (a recording's start or stop), with the
   * bearer token given; resolves with its answer. Throws StreamHostUnreachableError when it does not answer.
   */
  async call(host: { hubId: string; url: string | undefined }, streamId: string, path: string, token: string, body?: object): Promise<{ status: number; body: unknown }> {
    if (!host.url) throw new StreamHostUnreachableError(streamId, host.hubId, 'its lease ran out');
    try {
      const res = await fetch(new URL(path, host.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, [RELAYED_HEADER]: this.member.hubId, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch (err) {
      throw this.#unreachable(streamId, host.hubId, host.url, err);
    }
  }

  #unreachable(streamId: string, hubId: string, url: string, err: unknown): StreamHostUnreachableError {
    const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    this.log.warn({ streamId, hubId, url, why }, 'cluster: the hub that hosts a stream does not answer');
    return new StreamHostUnreachableError(streamId, hubId, `${url}: ${why}`);
  }

  /** True when another hub hosts the stream's producer (a camera started from here went live there). */
  async hostedElsewhere(streamId: string): Promise<boolean> {
    return (await this.hostOf(streamId)) !== undefined;
  }

  async #send(streamId: string, hubId: string, url: string | undefined, request: RelayedRequest): Promise<RelayedAnswer> {
    // a hub whose lease ran out has no URL left: it is down
    if (!url) throw new StreamHostUnreachableError(streamId, hubId, 'its lease ran out');
    let res: Response;
    try {
      res = await fetch(new URL(request.path, url), {
        method: request.method,
        headers: {
          [RELAYED_HEADER]: this.member.hubId,
          ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
          ...(request.offer === undefined ? {} : { 'content-type': 'application/sdp' }),
        },
        body: request.offer,
        signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
      });
    } catch (err) {
      throw this.#unreachable(streamId, hubId, url, err);
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? undefined, location: res.headers.get('location') ?? undefined, body: await res.text() };
  }

  /** Stops the upkeep; the entries go with the hub's lease (ClusterMember.leave sweeps them). */
  close(): void {
    clearInterval(this.#timer);
    this.#offResync();
  }
}
