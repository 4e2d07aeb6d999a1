// ffmpeg: the system one when it is on PATH, else the static build shipped in the
// @ffmpeg-installer/ffmpeg npm package (ARCHITECTURE.md, decision 5).
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import installer from '@ffmpeg-installer/ffmpeg';

export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return installer.path;
}
