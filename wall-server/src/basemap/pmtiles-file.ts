// A city's own basemap as one PMTiles v3 file (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md),
// read by byte ranges from disk: the wall gets streets with no tile server, and a
// city-sized file is never held in memory. MBTiles converts with `pmtiles convert`.
import { open, type FileHandle } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Compression, PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles';
import type { BasemapTiles } from '@hub/config';

const gunzipAsync = promisify(gunzip);

/** Byte ranges of a file on disk, as the PMTiles reader asks for them. */
class NodeFileSource implements Source {
  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  getKey(): string {
    return this.path;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) };
  }
}

async function decompress(buf: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> {
  if (compression === Compression.None || compression === Compression.Unknown) return buf;
  if (compression === Compression.Gzip) {
    const out = await gunzipAsync(Buffer.from(buf));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
  throw new Error(`directories compressed with ${Compression[compression]} are not supported (gzip or none)`);
}

const CONTENT_TYPES: Partial<Record<TileType, string>> = {
  [TileType.Mvt]: 'application/vnd.mapbox-vector-tile',
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
};

/** Content-Encoding for a tile stored compressed (the browser inflates it). */
const CONTENT_ENCODINGS: Partial<Record<Compression, string>> = { [Compression.Gzip]: 'gzip', [Compression.Brotli]: 'br', [Compression.Zstd]: 'zstd' };

export interface StoredTile {
  data: Buffer;
  contentType: string;
  contentEncoding?: string;
}

export interface TileFile {
  /** what the wall's map is told: kind, zoom range and (vector) source layers, with `url` as given */
  tiles(url: string): BasemapTiles;
  /** the tile's bytes as stored, or undefined when the file has no such tile */
  tile(z: number, x: number, y: number): Promise<StoredTile | undefined>;
  close(): Promise<void>;
}

/** Opens a PMTiles file; throws with a sentence for the operator when it is not one the wall can draw. */
export async function openTileFile(path: string): Promise<TileFile> {
  const handle = await open(path, 'r');
  try {
    const archive = new PMTiles(new NodeFileSource(path, handle), undefined, decompress);
    const header = await archive.getHeader();
    const contentType = CONTENT_TYPES[header.tileType];
    if (!contentType) throw new Error(`its tiles are of type ${TileType[header.tileType] ?? header.tileType}; the wall draws MVT, PNG, JPEG, WebP or AVIF`);
    const metadata = ((await archive.getMetadata()) ?? {}) as { vector_layers?: { id?: unknown }[] };
    const vectorLayers = (metadata.vector_layers ?? []).map((l) => l.id).filter((id): id is string => typeof id === 'string');
    const contentEncoding = CONTENT_ENCODINGS[header.tileCompression];
    return {
      tiles: (url) => ({
        kind: header.tileType === TileType.Mvt ? 'vector' : 'raster',
        url,
        tileSize: 256,
        minzoom: header.minZoom,
        maxzoom: header.maxZoom,
        vectorLayers,
      }),
      async tile(z, x, y) {
        if (z < header.minZoom || z > header.maxZoom || x >= 2 ** z || y >= 2 ** z) return undefined;
        const found = await archive.getZxy(z, x, y);
        if (!found) return undefined;
        return { data: Buffer.from(found.data), contentType, ...(contentEncoding ? { contentEncoding } : {}) };
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
