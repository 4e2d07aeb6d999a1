// CORS for WHIP/WHEP, so that a web player on another origin can publish or view (RFC 9725
// §4.2 asks endpoints to answer OPTIONS for CORS, and the Fetch standard hides any response
// header not exposed: a player needs Location to end its session). An allow-list of origins;
// none by default, so that without configuration no other site's page may call the hub.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Headers RFC 9725 clients read from a response (Location: the session; Link: ICE servers; ETag). */
const EXPOSED = 'Location, Link, ETag, Accept-Post';
/** What a player sends: its bearer token, the offer's type, If-Match for a session. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-Match';
/** how long a browser may keep a preflight's answer, seconds */
const PREFLIGHT_MAX_AGE = 600;

export class Cors {
  readonly #any: boolean;
  readonly #origins: Set<string>;

  /** `origins`: e.g. ["https://player.example"]; "*" allows any origin. Empty: no cross-origin use. */
  constructor(origins: readonly string[]) {
    this.#any = origins.includes('*');
    this.#origins = new Set(origins.map((o) => o.toLowerCase()));
  }

  /** Marks the reply for a cross-origin caller on the list (any request). */
  decorate(req: FastifyRequest, reply: FastifyReply): void {
    const origin = req.headers.origin;
    // the answer depends on Origin whenever there is a list: caches must not share it
    if (this.#origins.size && !this.#any) reply.header('vary', 'Origin');
    if (!origin || !(this.#any || this.#origins.has(origin.toLowerCase()))) return;
    reply.header('access-control-allow-origin', this.#any ? '*' : origin);
    reply.header('access-control-expose-headers', EXPOSED);
  }

  /** The answer to a preflight (OPTIONS): the methods `allow`s; CORS headers only for an origin on the list. */
  preflight(req: FastifyRequest, reply: FastifyReply, allow: string): FastifyReply {
    this.decorate(req, reply);
    reply.header('allow', allow);
    if (reply.hasHeader('access-control-allow-origin')) {
      reply.header('access-control-allow-methods', allow);
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE));
    }
    return reply.code(204).send();
  }
}
