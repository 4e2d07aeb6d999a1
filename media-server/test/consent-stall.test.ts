// ICE consent (RFC 7675) across a stalled event loop: the answer that waited in the socket
// while the process was busy still counts. (Under load the SFU's loop stalled 300–900 ms every
// few seconds; with werift's 500 ms wait every consent check spanning a stall failed, and 30 s
// of them closed the publisher's connection.)
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCSessionDescription, StunProtocol } from 'werift';
import '../src/engine/werift/transport'; // the engine's werift, as the SFU loads it
import { waitFor } from '../../test-support/wait';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

describe('ICE consent checks', () => {
  it('count an answer that arrived while the event loop was stalled past 500 ms', async () => {
    const config = { iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    a.addTransceiver('video', { direction: 'sendonly' });
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(new RTCSessionDescription(a.localDescription!.sdp, 'offer'));
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(new RTCSessionDescription(b.localDescription!.sdp, 'answer'));
    await waitFor(() => a.iceConnectionState === 'connected' && !!a.iceTransports[0]?.connection.nominated, 15_000, 'ICE connected');
    const pair = a.iceTransports[0]!.connection.nominated!;

    // the next consent request `a` sends is followed at once by an 800 ms stall of this process
    const sendStun = StunProtocol.prototype.sendStun;
    let stalled = false;
    const answersBefore = { value: 0 };
    StunProtocol.prototype.sendStun = function (this: StunProtocol, message, addr) {
      const sent = sendStun.call(this, message, addr);
      if (!stalled && this === pair.protocol && message.messageClass === 0x000 /* request */) {
        stalled = true;
        answersBefore.value = pair.responsesReceived;
        setImmediate(() => busy(800));
      }
      return sent;
    };
    closers.push(() => (StunProtocol.prototype.sendStun = sendStun));
    await waitFor(() => stalled, 10_000, 'a consent request');
    // its answer was in the socket when the loop came back; it is counted, not timed out
    await waitFor(() => pair.responsesReceived > answersBefore.value, 10_000, 'the consent answer counted');
    expect(pair.responsesReceived).toBe(answersBefore.value + 1);
  }, 30_000);
});
