// The engines the contract suite runs against: a factory each, and what each does not do yet
// (the suite marks those tests todo, naming what is missing, rather than passing them).
import { MediasoupRouter, WeriftRouter, type Router, type TransportOptions } from '../../src';

export interface EngineUnderTest {
  name: 'werift' | 'mediasoup';
  create(opts: TransportOptions): Promise<Router>;
  /** objects the engine holds outside this process's maps (a worker's transports), for leak checks */
  foreignObjects(router: Router): Promise<number>;
  /** what the engine cannot do yet, by contract test; absent = it does it */
  missing: Partial<Record<'returningPublisher' | 'simulcastLayerChoice', string>>;
}

export const ENGINES: EngineUnderTest[] = [
  {
    name: 'werift',
    create: async (opts) => new WeriftRouter(opts),
    foreignObjects: async () => 0,
    missing: {},
  },
  {
    name: 'mediasoup',
    create: (opts) => MediasoupRouter.create(opts),
    foreignObjects: (router) => (router as MediasoupRouter).workerTransports(),
    missing: {},
  },
];
