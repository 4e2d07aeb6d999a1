// A hub's cluster membership alone in a process, for tests that kill it: joins with the
// given id and lease, connects the units named, says "registered", and waits to be killed.
import { ClusterMember } from '../../src/index';

const [redisUrl, hubId, leaseMs, ...unitIds] = process.argv.slice(2);
const log = { info: () => {}, warn: () => {}, error: () => {} };
const member = await ClusterMember.start({ redisUrl: redisUrl!, hubId: hubId!, leaseMs: Number(leaseMs), log });
for (const unitId of unitIds) await member.unitConnected(unitId);
console.log('registered');
setInterval(() => {}, 60_000);
