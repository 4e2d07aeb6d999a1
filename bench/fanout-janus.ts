// Janus's streaming plugin as the reference figure for bench/fanout.ts (filled in below).
export interface JanusReferenceOptions {
  consumers: number;
  seconds: number;
  bitrateKbps: number;
  probes: number;
}
export async function runJanusReference(_opts: JanusReferenceOptions): Promise<void> {
  console.log('\nJanus reference: not run');
}
