// The JT/T 808 terminal client lives in @hub/jt808 (jt808/src/terminal.ts), shared by the tests and
// the terminal simulator; re-exported here for the tests.
export { Jt808Terminal, locationReport, TEST_REGISTRATION, type Jt808TerminalOptions, type PlatformMessage } from '@hub/jt808';
