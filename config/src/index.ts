// `@hub/config`: the zod schemas and pure functions every package shares, the browser's
// included. Nothing here may import Node: the loader and ffmpeg helpers are `@hub/config/node`.
export * from './ids';
export * from './wire';
export * from './topics';
export * from './api';
export * from './hub-config';
export * from './api-routes';
export * from './agent';
export * from './operators';
export * from './recording';
export * from './media';
export * from './basemap';
export * from './gcj02';
export * from './incident';
export * from './notices';
export * from './departments';
export * from './presets';
export * from './geo';
export * from './text';
export * from './polygon';
export * from './health';
export * from './alarm-priority';
