// The cluster's errors: Redis cannot be reached at start.
export class ClusterUnavailableError extends Error {
  readonly code = 'HUB_ERR_CLUSTER_REDIS_UNAVAILABLE';
  constructor(url: string, cause: unknown) {
    super(`Redis at ${redact(url)} does not answer (${cause instanceof Error ? cause.message : String(cause)}): start it, or unset cluster.redisUrl to run this hub alone`);
  }
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
