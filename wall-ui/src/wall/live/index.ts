export { UnitStore, type ConnectOptions, type UnitStoreOptions, type TrailPoint } from './unit-store';
export { HubRest } from './rest';
export { useConnectionState, useStoreVersion, useUnit } from './hooks';
export { UNIT_STATUS_KINDS, unitStatusKind, type ConnectionState, type ForwardedEvent, type ForwardedPayload, type UnitStatusKind, type UnitView } from './types';
