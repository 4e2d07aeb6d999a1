// Verification (核查): a still from the camera the page already streams (a canvas grab of the
// local preview), sent as a JPEG to POST /api/incidents/{id}/evidence with the unit's own
// credential. The hub keeps it by its SHA-256 and puts it into the incident's evidence pack.
import type { EvidencePhoto } from '@hub/config';
import { errorOf } from '../shared/hub-api';

/** Waits for the preview to show a picture (the camera may just have started), then draws it. */
export async function grabStill(video: HTMLVideoElement, timeoutMs = 10_000): Promise<Blob> {
  const deadline = Date.now() + timeoutMs;
  while (video.videoWidth === 0 || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    if (Date.now() > deadline) throw new Error('no picture from the camera');
    await new Promise((r) => setTimeout(r, 100));
  }
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) throw new Error('the picture could not be encoded');
  return blob;
}

/** Sends the photo; throws HubApiError (by code) when the hub refuses it. */
export async function sendEvidence(cred: { unitId: string; secret: string }, incidentId: string, photo: Blob): Promise<EvidencePhoto> {
  const res = await fetch(`/api/incidents/${encodeURIComponent(incidentId)}/evidence`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cred.unitId}:${cred.secret}`, 'content-type': 'image/jpeg' },
    body: photo,
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as EvidencePhoto;
}
