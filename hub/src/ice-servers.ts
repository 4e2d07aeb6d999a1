// The ICE servers a browser gets: the configured STUN/TURN servers, plus, when a coturn
// with use-auth-secret is configured, a TURN credential of its own that expires (the
// "TURN REST API" scheme coturn implements: username = expiry:name, password =
// base64(HMAC-SHA1(secret, username))), so no long-lived TURN password reaches a browser.
import { createHmac } from 'node:crypto';
import type { HubConfig, IceServer } from '@hub/config';

export function turnCredential(secret: string, name: string, ttlSeconds: number, now = Date.now()): { username: string; credential: string } {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${name}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export function iceServersFor(media: HubConfig['media'], name = 'hub'): IceServer[] {
  const servers: IceServer[] = [...media.iceServers];
  if (media.turn) servers.push({ urls: media.turn.urls, ...turnCredential(media.turn.secret, name, media.turn.ttlSeconds) });
  return servers;
}
