// A TCP proxy between a unit and its broker that can cut the link, as a cellular dead zone does.
// Reusable against the real hub: point `target` at its MQTT port.
import net from 'node:net';

export interface LinkProxyOptions {
  /** where the broker listens */
  target: { host?: string; port: number };
  /** proxy port on 127.0.0.1; default any free one */
  port?: number;
}

export class LinkProxy {
  readonly port: number;
  readonly #server: net.Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  #mode: 'up' | 'reset' | 'blackhole' = 'up';
  #closed = false;
  /** connections accepted while the link was up */
  connections = 0;

  private constructor(server: net.Server, port: number, target: { host: string; port: number }) {
    this.#server = server;
    this.port = port;
    this.#target = target;
  }

  static async start(opts: LinkProxyOptions): Promise<LinkProxy> {
    const target = { host: opts.target.host ?? '127.0.0.1', port: opts.target.port };
    let proxy!: LinkProxy;
    const server = net.createServer((socket) => proxy.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    proxy = new LinkProxy(server, (server.address() as net.AddressInfo).port, target);
    return proxy;
  }

  /** e.g. mqtt://127.0.0.1:PORT */
  url(protocol = 'mqtt'): string {
    return `${protocol}://127.0.0.1:${this.port}`;
  }

  get isUp(): boolean {
    return this.#mode === 'up';
  }

  /**
   * Cuts the link. 'reset' (default) closes both sides at once and refuses new connections, as a
   * lost carrier does; 'blackhole' keeps the sockets but silently drops every byte both ways (a
   * dead zone: only keepalive notices), and new connections hang.
   */
  cut(mode: 'reset' | 'blackhole' = 'reset'): void {
    this.#mode = mode;
    if (mode === 'reset') {
      for (const [a, b] of this.#pairs) {
        a.destroy();
        b.destroy();
      }
      this.#pairs.clear();
    }
  }

  /** Restores the link; connections black-holed during the cut are closed (they are dead on both ends). */
  restore(): void {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
    this.#mode = 'up';
  }

  #accept(client: net.Socket): void {
    if (this.#mode === 'reset' || this.#closed) {
      client.destroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(this.#target);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.#pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (this.#mode === 'up') to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.restore();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
