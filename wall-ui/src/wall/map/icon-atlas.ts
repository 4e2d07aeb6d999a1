// Which cell of the units' icon atlas holds which icon: one cell per unit type × status, side
// by side in one row, types outer. Derived from the two lists where they are declared (config's
// UnitTypeSchema, the wall's UNIT_STATUS_KINDS), so a new type or status gets its own cell and
// the shader samples as many columns as the atlas has. Pure: no canvas, no GL.
import { UnitTypeSchema, type UnitType } from '@hub/config';
import { UNIT_STATUS_KINDS, type UnitStatusKind } from '../live/types';

/** Every unit type, in the order their icons sit in the atlas. */
export const UNIT_TYPES: readonly UnitType[] = UnitTypeSchema.options;
/** Every status colour, in the order their icons sit within a type's cells. */
export const STATUSES: readonly UnitStatusKind[] = UNIT_STATUS_KINDS;

/** An icon's edge, CSS px. */
export const ICON_SIZE = 28;

export function unitIconName(type: UnitType, status: UnitStatusKind): string {
  return `unit-${type}-${status}`;
}

/** Icon scale by zoom: 0.7 at zoom 10 to 1.1 at zoom 16. */
export function iconScale(zoom: number): number {
  return Math.min(1.1, Math.max(0.7, 0.7 + ((zoom - 10) / 6) * 0.4));
}

export interface AtlasLayout<T extends string, S extends string> {
  /** cells in the row: types × statuses */
  columns: number;
  /** every icon with its cell, in cell order (the order the atlas is drawn in) */
  cells: readonly { type: T; status: S; cell: number }[];
  /** the cell of a type × status icon; an unknown type or status reads as the first */
  cell(type: T, status: S): number;
}

/** The atlas layout of these types and statuses. */
export function atlasLayout<T extends string, S extends string>(types: readonly T[], statuses: readonly S[]): AtlasLayout<T, S> {
  const cells = types.flatMap((type, t) => statuses.map((status, s) => ({ type, status, cell: t * statuses.length + s })));
  return {
    columns: types.length * statuses.length,
    cells,
    cell: (type, status) => Math.max(0, types.indexOf(type)) * statuses.length + Math.max(0, statuses.indexOf(status)),
  };
}

/** The atlas the units layer draws from. */
export const ICON_ATLAS = atlasLayout(UNIT_TYPES, STATUSES);
