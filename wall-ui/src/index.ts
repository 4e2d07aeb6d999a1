export { buildWall, wallBuildIsStale } from '../scripts/build';
// for the hub's tests that drive the body-cam page (a type only: nothing of the page loads)
export type { OutboundVideo } from './bodycam/camera-publisher';
// for tests and benches that drive the pages (types only): bringing these in also brings the
// `window.__hubWall` / `window.__mapTest` declarations the pages make into their programs
export type { LiveMapTestHooks } from './wall/map/LiveMap';
export type { MapTestState } from './maptest/main';
