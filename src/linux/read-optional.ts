// A kernel file that may be absent (a controller, a feature or a kernel that lacks it) or unreadable:
// its text, or undefined for the caller to decide.
import { readFileSync } from 'node:fs';

export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
