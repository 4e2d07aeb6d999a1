// Debian's mosquitto clients: an MQTT implementation this project did not write.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string, timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export interface MosquittoAuth {
  port: number;
  username: string;
  password: string;
}

/** mosquitto_pub of one message (-m) or of each stdin line as a message (-l). */
export function mosquittoPub(auth: MosquittoAuth, topic: string, message: string | string[], qos = 1): Promise<CommandResult> {
  const base = ['-h', '127.0.0.1', '-p', String(auth.port), '-u', auth.username, '-P', auth.password, '-i', `${auth.username}-pub`, '-q', String(qos), '-t', topic];
  if (Array.isArray(message)) return run('mosquitto_pub', [...base, '-l'], message.join('\n') + '\n');
  return run('mosquitto_pub', [...base, '-m', message]);
}
