// Where the cluster keeps its state in Redis. Every key carries the hash tag `{hub}`, so in a
// Redis Cluster they all live in one slot and the Lua scripts below may touch any of them.
export const PREFIX = '{hub}:';

export const keys = {
  /** the hubs that hold (or held, until swept) a lease */
  members: `${PREFIX}members`,
  /** a hub's lease: exists while the hub renews it */
  alive: (hubId: string) => `${PREFIX}alive:${hubId}`,
  /** the hubs a unit has a connection on */
  unitHubs: (unitId: string) => `${PREFIX}unit:${unitId}:hubs`,
  /** the units a hub has a connection of */
  hubUnits: (hubId: string) => `${PREFIX}hub:${hubId}:units`,
  /** the hub that hosts a stream's producer (its hub id) */
  stream: (streamId: string) => `${PREFIX}stream:${streamId}`,
  /** the streams whose producer a hub hosts */
  hubStreams: (hubId: string) => `${PREFIX}hub:${hubId}:streams`,
  /** a hub's HTTP base URL for hub-to-hub calls (cluster.advertiseUrl); expires with its lease */
  url: (hubId: string) => `${PREFIX}url:${hubId}`,
  /** the channel of the events every hub's walls show */
  events: `${PREFIX}events`,
};

/**
 * A unit's connection opened on a hub. Returns 1 when this is its first connection in the
 * whole cluster (it comes online), else 0. KEYS: unitHubs, hubUnits; ARGV: hubId, unitId.
 */
export const CONNECT = `
redis.call('SADD', KEYS[2], ARGV[2])
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 1 and redis.call('SCARD', KEYS[1]) == 1 then return 1 end
return 0`;

/**
 * A unit's last connection on a hub closed. Returns 1 when it has no connection left in the
 * cluster (it goes offline), else 0. KEYS: unitHubs, hubUnits; ARGV: hubId, unitId.
 */
export const DISCONNECT = `
redis.call('SREM', KEYS[2], ARGV[2])
local removed = redis.call('SREM', KEYS[1], ARGV[1])
if removed == 1 and redis.call('SCARD', KEYS[1]) == 0 then return 1 end
return 0`;

/**
 * A stream's producer closed on a hub: the registry forgets it unless another hub has taken the
 * stream since (a publisher that reconnected elsewhere). KEYS: stream, hubStreams; ARGV: hubId, streamId.
 */
export const STREAM_GONE = `
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A hub's lease ran out (or it leaves): its units' connections there are gone, and so are
 * the streams it hosted (those no other hub has taken since). Returns
 * `{'swept', unit…}` with the units left with no connection anywhere (they go offline);
 * `{'alive'}` if its lease came back, `{'gone'}` if another hub swept it first. Atomic, so of
 * several hubs sweeping the same dead one, exactly one gets the list.
 * KEYS: hubUnits(dead), members, alive(dead), hubStreams(dead), url(dead); ARGV: dead hubId, PREFIX.
 */
export const SWEEP = `
if redis.call('EXISTS', KEYS[3]) == 1 then return {'alive'} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return {'gone'} end
local out = {'swept'}
for _, u in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = ARGV[2] .. 'unit:' .. u .. ':hubs'
  redis.call('SREM', k, ARGV[1])
  if redis.call('SCARD', k) == 0 then table.insert(out, u) end
end
for _, s in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local k = ARGV[2] .. 'stream:' .. s
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
end
redis.call('DEL', KEYS[1], KEYS[4], KEYS[5])
redis.call('SREM', KEYS[2], ARGV[1])
return out`;
