// A gpsd stand-in that speaks its JSON protocol (gpsd_json(5)) over TCP: VERSION on connect, then after
// ?WATCH a DEVICES and WATCH reply and a TPV (plus a SKY) per fix. It can drop clients to test reconnects.
import net from 'node:net';
import type { GpsFix } from '../../src/gps/source';

export class FakeGpsd {
  readonly port: number;
  readonly #server: net.Server;
  readonly #clients = new Set<net.Socket>();
  /** ?WATCH commands received */
  watches = 0;

  private constructor(server: net.Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** `fixes()` is asked for the next fix for each watching client every `intervalMs`. */
  static async start(nextFix: () => GpsFix, intervalMs = 10): Promise<FakeGpsd> {
    let gpsd!: FakeGpsd;
    const server = net.createServer((socket) => {
      gpsd.#clients.add(socket);
      socket.on('close', () => gpsd.#clients.delete(socket));
      socket.on('error', () => {});
      const send = (obj: unknown) => socket.writable && socket.write(JSON.stringify(obj) + '\r\n');
      send({ class: 'VERSION', release: '3.22', rev: '3.22', proto_major: 3, proto_minor: 14 });
      let timer: NodeJS.Timeout | undefined;
      let n = 0;
      socket.on('data', (data) => {
        if (!data.toString().startsWith('?WATCH=') || timer) return;
        gpsd.watches++;
        send({ class: 'DEVICES', devices: [{ class: 'DEVICE', path: '/dev/ttyUSB0', driver: 'u-blox', activated: new Date().toISOString() }] });
        send({ class: 'WATCH', enable: true, json: true, nmea: false, raw: 0, scaled: false, timing: false, split24: false, pps: false });
        timer = setInterval(() => {
          n++;
          if (n % 5 === 0) send({ class: 'TPV', device: '/dev/ttyUSB0', mode: 1 }); // fix lost for a moment
          if (n % 7 === 0) socket.write('{"class":"TPV","mode":3,"lat":\r\n'); // a torn object
          const f = nextFix();
          send({ class: 'SKY', device: '/dev/ttyUSB0', hdop: 0.9, satellites: [{ PRN: 5, el: 31, az: 111, ss: 42, used: true }] });
          send({
            class: 'TPV',
            device: '/dev/ttyUSB0',
            mode: 3,
            time: new Date(f.ts).toISOString(),
            ept: 0.005,
            lat: f.lat,
            lon: f.lon,
            altHAE: (f.alt ?? 20) + 30,
            altMSL: f.alt ?? 20,
            epx: 3.2,
            epy: 4.1,
            eph: 5.3,
            epv: 7.5,
            track: f.heading,
            speed: f.speed,
            climb: 0,
            eps: 0.6,
          });
        }, intervalMs);
        socket.on('close', () => clearInterval(timer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    gpsd = new FakeGpsd(server, (server.address() as net.AddressInfo).port);
    return gpsd;
  }

  /** Drops every client, as a restarting gpsd does. */
  dropClients(): void {
    for (const s of this.#clients) s.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
