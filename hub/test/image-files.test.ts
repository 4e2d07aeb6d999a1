// No Docker engine runs where the hub is built, so the image's recipe is checked by reading it
// against the repository: `npm ci` in the image needs every workspace's package.json (and the
// mediasoup worker's whole folder, whose postinstall builds from it) before it runs, and the
// cluster layout's HAProxy configuration names the ports the hub listens on.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(ROOT + p, 'utf8');

it('the image copies every workspace’s package.json before npm ci', () => {
  const { workspaces } = JSON.parse(read('package.json')) as { workspaces: string[] };
  const dockerfile = read('Dockerfile');
  const npmCi = dockerfile.indexOf('RUN npm ci');
  expect(npmCi).toBeGreaterThan(0);
  const before = dockerfile.slice(0, npmCi);
  const missing = workspaces.filter((w) => !before.includes(`COPY ${w}/package.json ${w}/`) && !before.includes(`COPY ${w}/ ${w}/`));
  expect(missing).toEqual([]);
});

it('the cluster layout’s HAProxy sends to the ports the hub listens on in its image', () => {
  const compose = read('docker-compose.yml');
  const haproxy = read('deploy/haproxy-compose.cfg');
  for (const port of ['8080', '1883', '6808']) {
    expect(compose).toContain(`'${port}:${port}'`); // the single hub publishes it
    expect(haproxy).toContain(`hub:${port}`);
    expect(haproxy).toContain(`bind :${port}`);
  }
});
