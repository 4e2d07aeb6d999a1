export { buildWall, wallBuildIsStale } from '../scripts/build';
