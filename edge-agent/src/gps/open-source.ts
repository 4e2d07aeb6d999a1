// `--gps` spec → a GPS source.
import type { GpsSpec } from '@hub/config';
import type { Logger } from '../log';
import { GpsdSource } from './gpsd-source';
import { NmeaSource } from './nmea-source';
import { RouteSource, type RouteSourceOptions } from './route-source';
import { loadRouteFile } from './routes';
import type { GpsSource } from './source';

export interface OpenGpsSourceOptions {
  logger?: Logger;
  /** extra options of a simulated route (speed, battery, time acceleration) */
  sim?: RouteSourceOptions;
}

export async function openGpsSource(spec: GpsSpec, opts: OpenGpsSourceOptions = {}): Promise<GpsSource> {
  switch (spec.kind) {
    case 'nmea':
      return new NmeaSource({ path: spec.device, mode: 'device', logger: opts.logger });
    case 'nmea-file':
      // a recorded log replayed as if live: the hub would file old timestamps far in the past
      return new NmeaSource({ path: spec.path, mode: 'file', rate: spec.rate, retime: true, logger: opts.logger });
    case 'gpsd':
      return new GpsdSource({ host: spec.host, port: spec.port, logger: opts.logger });
    case 'sim':
      return new RouteSource({ ...opts.sim, ...(spec.routeFile ? { route: await loadRouteFile(spec.routeFile) } : {}) });
  }
}
