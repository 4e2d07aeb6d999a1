// @hub/edge-agent: the program on a vehicle gateway or body cam (GPS half), and the fleet simulator.
export { UnitAgent, type UnitAgentOptions, type UnitAgentEvents, type UnitAgentStats } from './agent/unit-agent';
export type { CommandHandler, CommandType } from './agent/commands';
export { Forwarder, type ForwarderLane } from './agent/forwarder';
export { AgentError, AgentAuthError, AgentOptionsError, QueueError, GpsSourceError, HubApiError } from './errors';
export type { GpsFix, GpsSource, GpsSourceStats } from './gps/source';
export { NmeaSource, type NmeaSourceOptions } from './gps/nmea-source';
export { NmeaDecoder, parseNmeaSentence, nmeaChecksum } from './gps/nmea-parser';
export { GpsdSource, fixFromTpv, type GpsdSourceOptions } from './gps/gpsd-source';
export { RouteSource, DEFAULT_CENTRE, type RouteSourceOptions } from './gps/route-source';
export { cityLoop, loadRouteFile, type Route } from './gps/routes';
export { openGpsSource } from './gps/open-source';
export { Journal, type JournalOptions } from './queue/journal';
export { MemoryQueue } from './queue/memory-queue';
export type { OutboxQueue, QueueEntry, QueueStats } from './queue/queue';
export { startFleet, type Fleet, type FleetStats, type StartFleetOptions } from './fleet/fleet';
export { provisionUnit, provisionUnits, type ProvisionOptions } from './fleet/provision';
