// The units' icon atlas layout: one cell per unit type × status, derived from the two lists
// (config's UnitTypeSchema, the wall's UNIT_STATUS_KINDS), and the shader sampling as many
// columns as the atlas has (it was a hard-coded 8).
import { describe, expect, it } from 'vitest';
import { UnitTypeSchema } from '@hub/config';
import { UNIT_STATUS_KINDS } from '../src/wall/live/types';
import { atlasLayout, ICON_ATLAS } from '../src/wall/map/icon-atlas';
import { UNITS_VERTEX, unitsVertexShader } from '../src/wall/map/units-shaders';

/** The column count a vertex shader divides the atlas by. */
function shaderColumns(src: string): number {
  const m = /const float ATLAS_COLUMNS = (\d+)\.0;/.exec(src);
  if (!m) throw new Error('the units vertex shader declares no ATLAS_COLUMNS');
  return Number(m[1]);
}

describe('icon atlas', () => {
  it('has one column per unit type × status', () => {
    expect(ICON_ATLAS.columns).toBe(UnitTypeSchema.options.length * UNIT_STATUS_KINDS.length);
    expect(ICON_ATLAS.cells).toHaveLength(ICON_ATLAS.columns);
  });

  it('gives every type × status its own cell, listed in cell order', () => {
    const seen = new Set<number>();
    for (const type of UnitTypeSchema.options) {
      for (const status of UNIT_STATUS_KINDS) {
        const cell = ICON_ATLAS.cell(type, status);
        expect(cell).toBeGreaterThanOrEqual(0);
        expect(cell).toBeLessThan(ICON_ATLAS.columns);
        seen.add(cell);
      }
    }
    expect(seen.size).toBe(ICON_ATLAS.columns);
    ICON_ATLAS.cells.forEach((c, i) => {
      expect(c.cell).toBe(i);
      expect(ICON_ATLAS.cell(c.type, c.status)).toBe(i);
    });
  });

  it('follows the lists it is given: a new type or status gets its own column', () => {
    const layout = atlasLayout<string, string>(['car', 'cam', 'drone'], ['a', 'b', 'c', 'd', 'e']);
    expect(layout.columns).toBe(15);
    expect(layout.cell('drone', 'e')).toBe(14);
    expect(layout.cell('cam', 'a')).toBe(5);
    // an unknown type or status reads as the first (drawn, not lost)
    expect(layout.cell('boat', 'b')).toBe(1);
    expect(layout.cell('cam', 'z')).toBe(5);
  });

  it('the shader samples as many columns as the atlas has', () => {
    expect(shaderColumns(UNITS_VERTEX)).toBe(ICON_ATLAS.columns);
    const wider = atlasLayout(['car', 'cam', 'drone'], [...UNIT_STATUS_KINDS, 'muted']);
    expect(shaderColumns(unitsVertexShader(wider.columns))).toBe(15);
  });
});
