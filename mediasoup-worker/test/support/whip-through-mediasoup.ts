// A WHIP/WHEP endpoint (RFC 9725 §4.2, POST only) over one mediasoup Router, so that the
// test-support peers (the edge agent's publisher, the WHEP viewer) send and receive through
// the built worker: one publisher, any number of viewers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { types } from 'mediasoup';
import { answerSdp, parseVideoOffer, producerRtpParameters, remoteDtls, viewerRtpCapabilities, type VideoOffer } from './sdp';

export interface WhipThroughMediasoup {
  whipUrl: string;
  whepUrl: string;
  /** the publisher's producer, once it has published */
  producer(): types.Producer | undefined;
  consumers: types.Consumer[];
  close(): Promise<void>;
}

export async function whipThroughMediasoup(router: types.Router): Promise<WhipThroughMediasoup> {
  let producer: types.Producer | undefined;
  const consumers: types.Consumer[] = [];
  const transports: types.WebRtcTransport[] = [];

  async function answer(path: string, offer: VideoOffer): Promise<string> {
    const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    transports.push(transport);
    await transport.connect({ dtlsParameters: remoteDtls(offer) });
    if (path === '/whip') {
      producer = await transport.produce({ kind: 'video', rtpParameters: producerRtpParameters(offer) });
      return answerSdp(offer, transport);
    }
    if (!producer) throw new Error('nothing is published yet');
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: viewerRtpCapabilities(offer) });
    consumers.push(consumer);
    return answerSdp(offer, transport, consumer);
  }

  const server = http.createServer((req, res) => {
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      answer(req.url ?? '', parseVideoOffer(body)).then(
        (sdp) => res.writeHead(201, { 'content-type': 'application/sdp', location: `/session/${transports.length}` }).end(sdp),
        (err: Error) => res.writeHead(400).end(err.message),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    whipUrl: `${base}/whip`,
    whepUrl: `${base}/whep`,
    producer: () => producer,
    consumers,
    async close() {
      for (const t of transports) t.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
