// The JT/T 808 simulator's arguments: `npm run simulate -- --protocol jt808 …`.
import { describe, expect, it } from 'vitest';
import { fleetTerminals, gatewayOf, parseJt808Args } from '../../src/simulate-jt808';
import { protocolOf } from '../../src/simulate';

describe('simulate --protocol jt808', () => {
  it('is picked by --protocol, and mqtt stays the default', () => {
    expect(protocolOf(['--units', '3'])).toBe('mqtt');
    expect(protocolOf(['--protocol', 'jt808', '--units', '3'])).toBe('jt808');
    expect(protocolOf(['--units', '3', '--protocol=jt808'])).toBe('jt808');
  });

  it('reads its flags, finds the gateway beside --hub, and numbers units and phones', () => {
    const opts = parseJt808Args(['--protocol', 'jt808', '--units', '2', '--hub', 'http://10.0.0.5:8080', '--admin-token', 'tok', '--cut-every', '30', '--sos-after', '5'], {});
    expect(opts).toMatchObject({ units: 2, cutEvery: 30, cutFor: 10, sosAfter: 5, state: 'jt808-sim-state.json', interval: 1 });
    if (opts === 'help') throw new Error('not help');
    expect(gatewayOf(opts)).toEqual({ host: '10.0.0.5', port: 6808 });
    expect(gatewayOf({ gateway: '127.0.0.1:16808' })).toEqual({ host: '127.0.0.1', port: 16808 });
    expect(fleetTerminals(opts)).toEqual([
      { unitId: 'jt-0001', phone: '13900000000' },
      { unitId: 'jt-0002', phone: '13900000001' },
    ]);
  });

  it('explains bad arguments', () => {
    expect(() => parseJt808Args(['--units', '0'], {})).toThrow(/--units/);
    expect(() => parseJt808Args(['--units', '1', '--gateway', 'nohost'], {})).toThrow(/--gateway: host:port/);
    expect(() => parseJt808Args(['--units', '1', '--hub', 'http://x'], {})).toThrow(/--admin-token: --hub needs --admin-token/);
  });
});
