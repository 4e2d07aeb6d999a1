// A source the agent does not encode (an RTSP camera's H.264, a recorded clip): one ffmpeg
// copies it to RTP. Its keyframes are the camera's or the clip's own, so a keyframe request
// cannot be answered here; the camera's GOP bounds a new viewer's wait.
import dgram from 'node:dgram';
import { spawnFfmpeg } from './ffmpeg-path';
import { ffmpegSourceArgs, type PublisherSource, type SourceEncoding } from './source';
import { exitReason, type VideoPipeline } from './live-encoder';

export async function startPassthrough(source: PublisherSource, enc: SourceEncoding, onRtp: (packet: Buffer) => void, onEnd: (why: string) => void): Promise<VideoPipeline> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', onRtp);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const ffmpeg = spawnFfmpeg(ffmpegSourceArgs(source, enc, `rtp://127.0.0.1:${socket.address().port}`), { stdio: ['ignore', 'ignore', 'pipe'] });
  const why = exitReason(ffmpeg, 'the video source');
  let closed = false;
  ffmpeg.once('exit', (code, signal) => {
    if (closed) return;
    closed = true;
    socket.close();
    onEnd(why(code, signal));
  });
  return {
    requestKeyframe() {},
    close() {
      if (closed) return;
      closed = true;
      ffmpeg.kill('SIGKILL');
      socket.close();
    },
  };
}
