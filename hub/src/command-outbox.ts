// The durable command outbox (table unit_command_outbox, migration hub.003): every command to a
// unit is written here first, and stays until the unit answers it (cmd/ack, or a JT/T 808
// terminal's 0x0001) or its lifetime ends. Whichever hub holds the unit's connection sends it;
// the others hear of it through PostgreSQL's NOTIFY, which is delivered at commit.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CommandMessage } from '@hub/config';

/** the NOTIFY channel; the payload is the unit id */
export const OUTBOX_CHANNEL = 'unit_command_outbox';

/**
 * How long a command waits for its unit, seconds. Past it the command is dropped unsent: a camera
 * must not start for a viewer who left an hour ago, nor a crew drive to an incident long handled.
 */
export const COMMAND_LIFETIME_SECONDS: Record<CommandMessage['type'], number> = {
  /** a viewer waits for the picture for about this long (on-demand) */
  'stream.start': 30,
  /** a camera left running while its unit was away is stopped when it is back, for a while */
  'stream.stop': 600,
  /** an order to go somewhere is stale once the incident has moved on */
  dispatch: 1800,
  /** a text to a crew: still worth reading after a shift in a tunnel */
  message: 86_400,
  /** the SOS state the unit shows; a newer one follows any change */
  'sos.status': 600,
};

export class CommandOutbox {
  constructor(private readonly db: pg.Pool) {}

  /** Keeps a command for its unit and tells every hub (NOTIFY, sent at commit: the row is there to read when it arrives). */
  async put(unitId: string, command: CommandMessage): Promise<void> {
    await this.db.query(
      `WITH kept AS (
         INSERT INTO unit_command_outbox (command_id, unit_id, command, expires_at)
         VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4))
         ON CONFLICT (command_id) DO NOTHING RETURNING unit_id)
       SELECT pg_notify($5, unit_id) FROM kept`,
      [command.id, unitId, JSON.stringify(command), COMMAND_LIFETIME_SECONDS[command.type], OUTBOX_CHANNEL],
    );
  }

  /** The unit's commands still waiting, oldest first; expired ones are dropped on the way (and named, to be logged). */
  async waiting(unitId: string): Promise<{ commands: CommandMessage[]; expired: { id: string; type: string }[] }> {
    const expired = await this.db.query<{ id: string; type: string }>(
      `DELETE FROM unit_command_outbox WHERE unit_id = $1 AND expires_at <= clock_timestamp() RETURNING command_id AS id, command->>'type' AS type`,
      [unitId],
    );
    const waiting = await this.db.query<{ command: CommandMessage }>('SELECT command FROM unit_command_outbox WHERE unit_id = $1 AND expires_at > clock_timestamp() ORDER BY created_at, command_id', [
      unitId,
    ]);
    return { commands: waiting.rows.map((r) => r.command), expired: expired.rows };
  }

  /** The unit answered: the command is done (an answer "failed" is an answer too). Only the unit's own answer counts. */
  async answered(unitId: string, commandId: string): Promise<void> {
    await this.db.query('DELETE FROM unit_command_outbox WHERE command_id = $1 AND unit_id = $2', [commandId, unitId]);
  }

  /** Drops every expired command (units that never came back). */
  async sweep(): Promise<number> {
    return (await this.db.query('DELETE FROM unit_command_outbox WHERE expires_at <= clock_timestamp()')).rowCount ?? 0;
  }
}

/**
 * LISTENs on the outbox channel on a connection of its own, and comes back after losing it
 * (a database outage): `onReconnect` then runs, since notifications sent meanwhile are gone.
 */
export class OutboxListener {
  #client: pg.PoolClient | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly db: pg.Pool,
    private readonly log: Logger,
    private readonly onNotice: (unitId: string) => void,
    private readonly onReconnect: () => void,
  ) {}

  async start(): Promise<void> {
    const client = await this.db.connect();
    const lost = (err?: unknown) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.off('notification', onNotification);
      client.release(err instanceof Error ? err : true);
      if (this.#closed) return;
      this.log.warn({ err }, 'command outbox: lost the LISTEN connection; listening again shortly');
      this.#scheduleRetry();
    };
    const onNotification = (msg: pg.Notification) => {
      if (msg.channel === OUTBOX_CHANNEL && msg.payload) this.onNotice(msg.payload);
    };
    client.on('notification', onNotification);
    client.once('error', lost);
    client.once('end', lost);
    this.#client = client;
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      lost(err);
      throw err;
    }
  }

  #scheduleRetry(): void {
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.start().then(this.onReconnect, () => {
        if (!this.#closed && !this.#client && !this.#retry) this.#scheduleRetry();
      });
    }, 1000);
    this.#retry.unref();
  }

  /** Stops listening. Safe twice. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    client?.release(true);
  }
}
