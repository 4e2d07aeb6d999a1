// Identity as a named Fastify plugin: the operators, decorated on the instance for the others.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { OperatorAuth } from './operator-auth';

export interface IdentityPluginOptions {
  db: Queryable;
  /** the built-in admin's credential */
  adminToken: string;
  auth: HubConfig['auth'];
  log: Logger;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** operators, sessions and the lock-out (the `identity` plugin) */
    operators: OperatorAuth;
  }
}

export const identityPlugin = fp<IdentityPluginOptions>(
  async (app, { db, adminToken, auth, log }) => {
    const operators = new OperatorAuth({ db, adminToken, sessionHours: auth.sessionHours, lockout: auth.lockout, log: log.child({ module: 'operators' }) });
    await operators.ensureBuiltinAdmin();
    app.decorate('operators', operators);
  },
  { name: 'identity' },
);
