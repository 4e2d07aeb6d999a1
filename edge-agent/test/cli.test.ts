import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlarmMessageSchema, DispatchAnswerSchema, StatusMessageSchema, topics } from '@hub/config';
import { parseAgentArgs } from '../src/cli';
import { TestBroker, waitFor } from './support/test-broker';

describe('parseAgentArgs', () => {
  it('takes flags, falls back to the environment, and applies defaults', () => {
    const opts = parseAgentArgs(['--unit-id', 'car-7', '--gps', 'gpsd:10.0.0.2:2948', '--queue-max', '500'], { UNIT_SECRET: 's', BROKER_URL: 'wss://hub.example/mqtt' });
    expect(opts).toMatchObject({
      unitId: 'car-7',
      secret: 's',
      broker: 'wss://hub.example/mqtt',
      queueMax: 500,
      maxInFlight: 100,
      gps: { kind: 'gpsd', host: '10.0.0.2', port: 2948 },
    });
    expect(parseAgentArgs(['--gps', 'nmea-file:/logs/a:b.nmea:5'], { UNIT_ID: 'u', UNIT_SECRET: 's' })).toMatchObject({
      gps: { kind: 'nmea-file', path: '/logs/a:b.nmea', rate: 5 },
    });
    expect(parseAgentArgs([], { UNIT_ID: 'u', UNIT_SECRET: 's' })).toMatchObject({ gps: { kind: 'sim' }, broker: 'mqtt://127.0.0.1:1883' });
  });

  it('names each bad or missing argument', () => {
    expect(() => parseAgentArgs(['--unit-id', 'a/b', '--broker', 'http://hub', '--gps', 'usb'], {})).toThrow(
      /--unit-id \(or UNIT_ID\): unit id must be[\s\S]*--secret \(or UNIT_SECRET\): is required[\s\S]*--broker \(or BROKER_URL\): broker must be a URL starting with mqtt:\/\/[\s\S]*--gps: unknown gps source "usb"/,
    );
    expect(() => parseAgentArgs(['--gps', 'gpsd:host:99999'], { UNIT_ID: 'u', UNIT_SECRET: 's' })).toThrow(/bad gpsd address/);
    expect(() => parseAgentArgs(['--frobnicate'], {})).toThrow(/Unknown option '--frobnicate'/);
  });
});

describe('edge agent CLI', () => {
  let broker: TestBroker;
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  beforeEach(async () => {
    broker = await TestBroker.start({ 'cam-3': 'right-secret' });
    dir = mkdtempSync(path.join(tmpdir(), 'agent-cli-'));
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => {
    child = spawn(process.execPath, ['--import', 'tsx', 'edge-agent/src/cli.ts', '--broker', broker.url(), '--queue-dir', dir, ...args], {
      cwd: path.resolve(import.meta.dirname, '../..'),
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child!.on('exit', r));
    return { child, output: () => out, exited };
  };

  it('exits with code 3 and says why when the secret is refused', async () => {
    const { output, exited } = run('--unit-id', 'cam-3', '--secret', 'wrong-secret', '--log-level', 'silent');
    expect(await exited).toBe(3);
    expect(output()).toMatch(/the broker refused unit "cam-3" \(CONNACK code 4: bad username or password\)/);
    expect(output()).not.toContain('wrong-secret');
  });

  it('sends an SOS typed on stdin, and goes offline cleanly on SIGTERM', async () => {
    const { child, output, exited } = run('--unit-id', 'cam-3', '--secret', 'right-secret', '--log-level', 'warn');
    await waitFor(() => broker.of('cam-3', 'gps').length >= 1, 15_000, 'a position');
    child.stdin.write('sos man down at the north gate\n');
    await waitFor(() => broker.of('cam-3', 'alarm').length >= 1, 10_000, 'the SOS');
    expect(AlarmMessageSchema.parse(broker.of('cam-3', 'alarm')[0])).toMatchObject({ type: 'sos', message: 'man down at the north gate' });
    expect(output()).toContain('SOS queued');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(broker.of('cam-3', 'status').map((s) => StatusMessageSchema.parse(s).state)).toEqual(['online', 'offline']);
  });

  it('prints a dispatch with its distance and direction, and sends the answer typed on stdin', async () => {
    const { child, output } = run('--unit-id', 'cam-3', '--secret', 'right-secret', '--log-level', 'warn', '--gps', 'sim');
    await waitFor(() => broker.of('cam-3', 'gps').length >= 1, 15_000, 'a position');
    await new Promise((r) => setTimeout(r, 200)); // SUBACK
    await broker.publish(topics.cmd('cam-3'), { id: 'd-9', ts: Date.now(), type: 'dispatch', incidentId: '12', lat: 22.6, lon: 114.1, note: 'man down' });
    await waitFor(() => output().includes('DISPATCH incident 12'), 10_000, 'the order printed');
    expect(output()).toMatch(/DISPATCH incident 12: go to 22\.60000, 114\.10000 \(\d+(\.\d)? k?m [NESW]{1,2}\) — man down/);
    expect(broker.of('cam-3', 'cmd/answer')).toEqual([]);
    child.stdin.write('refuse flat tyre\n');
    await waitFor(() => broker.of('cam-3', 'cmd/answer').length >= 1, 10_000, 'the answer');
    expect(DispatchAnswerSchema.parse(broker.of('cam-3', 'cmd/answer')[0])).toMatchObject({ id: 'd-9', accepted: false, reason: 'flat tyre' });
  });
});
