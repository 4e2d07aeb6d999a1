// What building the worker needs from Debian 12, and what it needs at run time. The build
// looks for each by the program or pkg-config module it provides, so it also tells a machine
// with the same tools from elsewhere apart from one that lacks them.

/** A build requirement: found as a program on PATH or a pkg-config module. */
export interface BuildRequirement {
  /** the Debian package that provides it */
  debian: string;
  program?: string;
  pkgConfig?: string;
}

export const BUILD_REQUIREMENTS: readonly BuildRequirement[] = [
  { debian: 'build-essential', program: 'c++' },
  { debian: 'build-essential', program: 'strip' },
  { debian: 'build-essential', program: 'patch' },
  { debian: 'pkg-config', program: 'pkg-config' },
  { debian: 'meson', program: 'meson' },
  { debian: 'ninja-build', program: 'ninja' },
  { debian: 'python3', program: 'python3' },
  { debian: 'flatbuffers-compiler', program: 'flatc' },
  { debian: 'libuv1-dev', pkgConfig: 'libuv' },
  { debian: 'libssl-dev', pkgConfig: 'openssl' },
  { debian: 'libsrtp2-dev', pkgConfig: 'libsrtp2' },
  { debian: 'libflatbuffers-dev', pkgConfig: 'flatbuffers' },
];

/** the Debian packages the build needs, in the order README and .ci/run name them */
export const BUILD_PACKAGES: readonly string[] = [...new Set(BUILD_REQUIREMENTS.map((r) => r.debian))];

/** the Debian packages the built worker links against at run time */
export const RUNTIME_PACKAGES: readonly string[] = ['libuv1', 'libssl3', 'libsrtp2-1'];

export const aptInstallLine = (packages: readonly string[]): string => `apt-get install -y --no-install-recommends ${packages.join(' ')}`;

export const APT_BUILD_LINE = aptInstallLine(BUILD_PACKAGES);
