// The pool gives up on a connection that never completes: a server that accepts the TCP
// connection and then says nothing (a half-dead host, a hung proxy) fails the query as
// "database unavailable" after the connect timeout instead of holding it forever.
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createPool, isDatabaseUnavailable } from '../src';

const sockets = new Set<net.Socket>();
const silent = net.createServer((s) => {
  sockets.add(s); // accepted, never answered
  s.on('close', () => sockets.delete(s));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe('the pool', () => {
  it('fails a query whose connection never completes, as database unavailable', async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    const pool = createPool(`postgres://hub:x@127.0.0.1:${port}/hub`, 1, undefined, 300);
    try {
      const err = await pool.query('SELECT 1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(err)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
