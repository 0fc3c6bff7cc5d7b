// Which edition's semantics a bundle gets, and every question whose answer differs between them.
// DESIGN.md "Two editions, chosen by the bundle"; spec/README.md lists the differences.
export type Edition = 'draft' | 'v1';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export type EditionOf = { ok: true; edition: Edition } | { ok: false; message: string; fix: string };

const FIX = 'use "1.3.0" (or "0.6.0-dev" for the create/start draft)';

/**
 * Below 1.0.0 (0.x, and 1.0.0 pre-releases such as 1.0.0-rc5) is the draft; 1.0.0 and above is
 * v1.3.0. config.md "Specification version": ociVersion is REQUIRED and in SemVer v2.0.0 format.
 */
export function editionOf(ociVersion: unknown): EditionOf {
  if (ociVersion === undefined) return { ok: false, message: 'required: the spec version the bundle is written for', fix: FIX };
  if (typeof ociVersion !== 'string') return { ok: false, message: `must be a string, not ${ociVersion === null ? 'null' : Array.isArray(ociVersion) ? 'an array' : typeof ociVersion}`, fix: FIX };
  const m = SEMVER.exec(ociVersion);
  if (!m) return { ok: false, message: `${JSON.stringify(ociVersion)} is not SemVer 2.0.0`, fix: FIX };
  const [major, minor, patch, pre] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
  if (major === 0) return { ok: true, edition: 'draft' };
  if (major === 1 && minor === 0 && patch === 0 && pre !== undefined) return { ok: true, edition: 'draft' };
  if (major === 1) return { ok: true, edition: 'v1' };
  return { ok: false, message: `${JSON.stringify(ociVersion)} is newer than any edition ocirt knows (the draft, 1.x)`, fix: FIX };
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
