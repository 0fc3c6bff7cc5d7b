// Container ids name a directory under the state root, so they are checked before any path is built
// (DESIGN.md "State").

import { OciError } from '../errors.ts';

const ID_PATTERN = /^[A-Za-z0-9_+.-]+$/;
export const MAX_ID_BYTES = 1024;
const SHOWN_CHARS = 64;

/** Throws OciError('usage') unless `id` is a valid container id. */
export function validateId(id: string): void {
  const problem = idProblem(id);
  if (problem !== undefined) throw new OciError('usage', `invalid container id "${shown(id)}": ${problem}`);
}

function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) return `it is longer than ${MAX_ID_BYTES} bytes`;
  if (id === '.' || id === '..') return 'it may not be "." or ".."';
  if (!ID_PATTERN.test(id)) return 'it may contain only letters, digits, "_", "+", "." and "-"';
  return undefined;
}

/** The id as it goes into a message: truncated, with control characters escaped. */
function shown(id: string): string {
  const cut = id.length > SHOWN_CHARS ? `${id.slice(0, SHOWN_CHARS)}…` : id;
  return JSON.stringify(cut).slice(1, -1);
}
