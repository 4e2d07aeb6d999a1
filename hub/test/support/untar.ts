// Moved to test-support/untar.ts so every package's tests read evidence packs the same way.
export { untar } from '../../../test-support/untar';
