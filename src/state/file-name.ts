// Ids may be 1024 bytes (DESIGN.md "State") but a file name only 255 (NAME_MAX): a long id is named
// on disk, in the state root and in the cgroup trees, by "~" and its SHA-256 ("~" is never in an id).
import { sha256Hex } from '../sha256.ts';

const MAX_NAME = 200;

export function fileNameFor(id: string): string {
  return Buffer.byteLength(id) > MAX_NAME ? `~${sha256Hex(id)}` : id;
}
