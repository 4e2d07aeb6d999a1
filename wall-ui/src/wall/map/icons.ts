// Unit and incident icons drawn on a canvas at start (nothing is downloaded): a vehicle is an
// arrowhead, a body cam a round badge with a pointer; both point up (north) so the symbol
// layer can turn them to the unit's heading. One image per type × status colour.
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { UnitStatusKind } from '../live/types';
import { ICON_ATLAS, ICON_SIZE, STATUSES, UNIT_TYPES, unitIconName } from './icon-atlas';

export const STATUS_COLOURS: Record<UnitStatusKind, string> = {
  online: '#2ecc71',
  offline: '#8a949e',
  alarming: '#ff3b30',
  assigned: '#3d8bff',
};

const SIZE = ICON_SIZE;

function draw(size: number, ratio: number, paint: (ctx: CanvasRenderingContext2D, s: number) => void): ImageData {
  const px = Math.round(size * ratio);
  const canvas = document.createElement('canvas');
  canvas.width = px;
  canvas.height = px;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(ratio, ratio);
  paint(ctx, size);
  return ctx.getImageData(0, 0, px, px);
}

function vehicle(colour: string) {
  return (ctx: CanvasRenderingContext2D, s: number) => {
    const c = s / 2;
    ctx.beginPath();
    ctx.moveTo(c, 2);
    ctx.lineTo(s - 5, s - 4);
    ctx.lineTo(c, s - 9);
    ctx.lineTo(5, s - 4);
    ctx.closePath();
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#0b0f14';
    ctx.stroke();
  };
}

function bodycam(colour: string) {
  return (ctx: CanvasRenderingContext2D, s: number) => {
    const c = s / 2;
    // heading pointer
    ctx.beginPath();
    ctx.moveTo(c, 1);
    ctx.lineTo(c + 5, 9);
    ctx.lineTo(c - 5, 9);
    ctx.closePath();
    ctx.fillStyle = colour;
    ctx.fill();
    // badge
    ctx.beginPath();
    ctx.arc(c, c + 2, s / 2 - 6, 0, Math.PI * 2);
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#0b0f14';
    ctx.stroke();
    // lens
    ctx.beginPath();
    ctx.arc(c, c + 2, 3.5, 0, Math.PI * 2);
    ctx.fillStyle = '#0b0f14';
    ctx.fill();
  };
}

function incident(ctx: CanvasRenderingContext2D, s: number) {
  const c = s / 2;
  ctx.beginPath();
  ctx.moveTo(c, 2);
  ctx.lineTo(s - 2, c);
  ctx.lineTo(c, s - 2);
  ctx.lineTo(2, c);
  ctx.closePath();
  ctx.fillStyle = '#ffb020';
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#0b0f14';
  ctx.stroke();
  ctx.fillStyle = '#0b0f14';
  ctx.fillRect(c - 1.5, 8, 3, 9);
  ctx.fillRect(c - 1.5, 19, 3, 3);
}

/** Adds every icon to the map's sprite (again after a style change). */
export function addIcons(map: MapLibreMap): void {
  const ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  for (const type of UNIT_TYPES) {
    for (const status of STATUSES) {
      const name = unitIconName(type, status);
      if (map.hasImage(name)) continue;
      const paint = type === 'vehicle' ? vehicle(STATUS_COLOURS[status]) : bodycam(STATUS_COLOURS[status]);
      map.addImage(name, draw(SIZE, ratio, paint), { pixelRatio: ratio });
    }
  }
  if (!map.hasImage('incident')) map.addImage('incident', draw(SIZE, ratio, incident), { pixelRatio: ratio });
}

/**
 * Every unit icon side by side on one canvas, for the units' WebGL layer, in ICON_ATLAS's
 * cells, each ICON_SIZE × ratio px square.
 */
export function iconAtlas(ratio: number): HTMLCanvasElement {
  const px = Math.round(SIZE * ratio);
  const canvas = document.createElement('canvas');
  canvas.width = px * ICON_ATLAS.columns;
  canvas.height = px;
  const ctx = canvas.getContext('2d')!;
  for (const { type, status, cell } of ICON_ATLAS.cells) {
    ctx.putImageData(draw(SIZE, ratio, type === 'vehicle' ? vehicle(STATUS_COLOURS[status]) : bodycam(STATUS_COLOURS[status])), cell * px, 0);
  }
  return canvas;
}
