export { LiveMap, type LiveMapProps, type LiveMapTestHooks } from './LiveMap';
export type { IncidentMarker } from './MarkersLayer';
export { makeProjector, type Projector } from './projection';
export { STATUS_COLOURS } from './icons';
export { mapMessages } from './messages';
