// A POSIX ustar archive written by hand (POSIX.1-2001 pax "ustar" format): 512-byte header,
// data padded to 512, two zero blocks at the end. Enough for an evidence pack; no dependency.
import { createReadStream } from 'node:fs';

export interface TarEntry {
  /** path inside the archive, at most 100 bytes */
  name: string;
  size: number;
  mtime?: Date;
  /** the bytes: in memory, or read from a file */
  data: Buffer | { file: string };
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** ustar keeps up to 100 bytes in `name` and 155 more in `prefix`, split at a slash. */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const [prefix, base] = [name.slice(0, i), name.slice(i + 1)];
    if (Buffer.byteLength(base) <= 100 && Buffer.byteLength(prefix) <= 155) return [prefix, base];
  }
  throw new Error(`tar entry name too long for ustar: ${name}`);
}

export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(512, 0);
  const [prefix, base] = splitName(name);
  Buffer.from(base, 'utf8').copy(h, 0);
  Buffer.from(prefix, 'utf8').copy(h, 345);
  h.write(octal(0o644, 8), 100, 'ascii'); // mode
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum counted as spaces
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** The archive as a stream of chunks; `onData(name, chunk)` sees every file's bytes (for hashing). */
export async function* tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>, onData?: (name: string, chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    yield tarHeader(e.name, e.size, e.mtime ?? new Date());
    let written = 0;
    if (Buffer.isBuffer(e.data)) {
      onData?.(e.name, e.data);
      written = e.data.length;
      yield e.data;
    } else {
      for await (const chunk of createReadStream(e.data.file)) {
        const b = chunk as Buffer;
        const take = b.subarray(0, Math.max(0, e.size - written)); // a file that grew keeps its declared size
        written += take.length;
        onData?.(e.name, take);
        if (take.length) yield take;
      }
      if (written < e.size) throw new Error(`${e.data.file} shrank while being archived`);
    }
    const pad = (512 - (written % 512)) % 512;
    if (pad) yield Buffer.alloc(pad, 0);
  }
  yield Buffer.alloc(1024, 0);
}
