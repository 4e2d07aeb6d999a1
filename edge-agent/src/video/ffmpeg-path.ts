// ffmpeg for the camera publisher: one lookup and one way to start it for the whole
// repository, in @hub/config/node (the child dies with the agent).
export { ffmpegPath, spawnFfmpeg } from '@hub/config/node';
