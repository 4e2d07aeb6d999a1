// The wall's server side: the pages the hub serves, each operator's layout presets, and the
// basemap (the schematic GeoJSON city and its districts, which incidents are placed in).
export { wallPages } from './pages';
export { presetRoutes } from './api/presets';
export { basemapRoutes } from './api/basemap';
export { basemapGeojsonPath, readBasemapGeojson, sampleCityGeojsonPath } from './basemap/geojson';
export { districtMap, type DistrictMap } from './basemap/districts';
export { wallMigrations } from './migrations';
