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

/** how often the registry is brought in line with the router, as a backstop to the producer events, ms */
const RECONCILE_MS = 1000;
/** how long the hosting hub has to answer a relayed request (it gathers ICE candidates before it answers), ms */
const RELAY_TIMEOUT_MS = 15_000;

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

  async hostOf(streamId: string): Promise<{ send(request: RelayedRequest): Promise<RelayedAnswer> } | undefined> {
    const host = this.member.redisUp ? await this.member.streamHost(streamId) : undefined;
    if (!host || host.hubId === this.member.hubId) return undefined;
    return { send: (request) => this.#send(streamId, host.hubId, host.url, request) };
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
      const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      this.log.warn({ streamId, hubId, url, why }, 'cluster: the hub that hosts a stream does not answer');
      throw new StreamHostUnreachableError(streamId, hubId, `${url}: ${why}`);
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? undefined, location: res.headers.get('location') ?? undefined, body: await res.text() };
  }

  /** Stops the upkeep; the entries go with the hub's lease (ClusterMember.leave sweeps them). */
  close(): void {
    clearInterval(this.#timer);
    this.#offResync();
  }
}
