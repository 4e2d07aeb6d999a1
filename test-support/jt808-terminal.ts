// The JT/T 808 terminal client lives in @hub/jt808 (jt808/src/terminal.ts), shared by the tests and
// the terminal simulator; re-exported here for the tests.
export { Jt808Terminal, locationReport, TEST_REGISTRATION, type Jt808TerminalOptions, type PlatformMessage } from '@hub/jt808';

/**
 * Test hub settings for terminals' SOS without video: an SOS opens the incident (and proposes
 * units) without starting, recording or opening the terminal's JT/T 1078 camera, for tests of
 * the rest of the loop (hub/test/jt1078-wall.test.ts plays the camera).
 */
export const SOS_WITHOUT_VIDEO = {
  'linkage.rules.sos.startStream': false,
  'linkage.rules.sos.record': false,
  'linkage.rules.sos.openCameras': false,
  'linkage.rules.sos.escalateAfterSeconds': 0,
} as const;
