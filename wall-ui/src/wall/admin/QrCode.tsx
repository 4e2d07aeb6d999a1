// A QR code drawn in the browser (npm qrcode) on a canvas: the secret it carries never
// leaves the page for an image service.
import { useEffect, useRef } from 'react';
import QRCode from 'qrcode';

export function QrCode({ text, size = 220, label }: { text: string; size?: number; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    // medium error correction: still reads from a phone held at an angle to a wall screen
    if (canvas.current) void QRCode.toCanvas(canvas.current, text, { width: size, margin: 2, errorCorrectionLevel: 'M' });
  }, [text, size]);
  return <canvas ref={canvas} width={size} height={size} role="img" aria-label={label} data-testid="credential-qr" />;
}
