export { buildWall, wallBuildIsStale } from '../scripts/build';
// for the hub's tests that drive the body-cam page (a type only: nothing of the page loads)
export type { OutboundVideo } from './bodycam/camera-publisher';
