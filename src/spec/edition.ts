// Which edition's semantics a bundle gets, and every question whose answer differs between them.
// DESIGN.md "Two editions, chosen by the bundle"; shared/spec/README.md lists the differences.
import { specError } from '../errors.ts';

export type Edition = 'draft' | 'v1';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Below 1.0.0 (0.x, and 1.0.0 pre-releases such as 1.0.0-rc5) is the draft; 1.0.0 and above is v1.3.0. */
export function editionOf(ociVersion: unknown): Edition {
  if (typeof ociVersion !== 'string') throw specError('ociVersion: must be a string');
  const m = SEMVER.exec(ociVersion);
  if (!m) throw specError(`ociVersion: "${ociVersion}" is not SemVer 2.0.0 (config.md "Specification version")`);
  const [major, minor, patch, pre] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
  if (major === 0) return 'draft';
  if (major === 1 && minor === 0 && patch === 0 && pre !== undefined) return 'draft';
  if (major === 1) return 'v1';
  throw specError(`ociVersion: "${ociVersion}" is newer than any edition ocirt knows (draft, 1.x)`);
}

/** The questions whose answers differ, in one place (runtime.md of each edition). */
export const semantics = {
  /** draft "Start": `process` is read from config.json at start time; v1.3.0: as it was at create. */
  startReadsProcessAtStart: (e: Edition) => e === 'draft',
  /** draft "Delete": a running container is stopped first; v1.3.0: an error unless stopped. */
  deleteStopsRunning: (e: Edition) => e === 'draft',
  /** draft "Stop" and `root.autoremove` exist only in the draft. */
  hasAutoremove: (e: Edition) => e === 'draft',
};
