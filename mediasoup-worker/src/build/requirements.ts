// Which build packages this machine lacks, found by the programs and pkg-config modules they
// provide.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { BUILD_REQUIREMENTS, type BuildRequirement } from '../build-packages';

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const hasPkgConfig = (module: string): boolean => onPath('pkg-config') && spawnSync('pkg-config', ['--exists', module]).status === 0;

/** the requirements not met here (a module counts as missing while pkg-config is) */
export function missingRequirements(): BuildRequirement[] {
  return BUILD_REQUIREMENTS.filter((r) => (r.program ? !onPath(r.program) : !hasPkgConfig(r.pkgConfig!)));
}
