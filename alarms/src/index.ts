// Alarms: the rules that raise them from positions and unit status (SOS and device alarms,
// geofences, overspeed, offline, no position, low battery), their store and REST routes.
export { startAlarmService, type AlarmService } from './service';
export { AlarmRules, type AlarmsConfig } from './rules';
export { alarmRoutes } from './api/alarms';
export { geofenceRoutes } from './api/geofences';
export { acknowledgeAlarm, acknowledgeAlarms, countRepeat, getAlarm, insertAlarm, listAlarms, type NewAlarm } from './store/alarms';
export { createGeofence, deleteGeofence, getGeofence, listGeofences, polygonBBox } from './store/geofences';
export { alarmsPlugin, type AlarmsPluginOptions } from './plugin';
export { alarmMigrations } from './migrations/index';
export { FloodGate, type FloodSettings } from './flood-gate';
