// `@hub/config/node`: the parts of the config package that need Node (files, environment,
// child processes). Kept out of `@hub/config` so the wall's browser bundle, which imports
// the schemas from there, never reaches `node:fs` or `node:child_process`.
export * from './load-config';
export * from './ffmpeg';
