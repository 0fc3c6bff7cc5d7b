// The shape of a catalogue entry, and what gen-catalogue.ts needs without loading catalogue.json.
import type { Edition } from './extract.ts';

export type Level = 'MUST' | 'MUST NOT';

export interface CatalogueEntry {
  /** edition:file-stem:section-slug:n, as extract.ts makes it. */
  id: string;
  edition: Edition;
  /** Relative to spec/: `draft/runtime.md`, `v1.3.0/config-linux.md`. */
  file: string;
  section: string;
  /** Verbatim (list marker and surrounding space trimmed; hard-wrapped lines joined by one space). */
  sentence: string;
  level: Level;
  /** Can be checked from outside a runtime, through its command line, with probe bundles. */
  testable: boolean;
  /** Why not, in one line; present exactly when `testable` is false. */
  why?: string;
}

/** What gen-catalogue writes for a sentence no one has judged yet; the unit tests refuse it. */
export const NOT_REVIEWED = 'not yet reviewed';

/**
 * 'MUST NOT' when every MUST of the sentence is a MUST NOT (the draft once writes "MUST not";
 * bold markers may stand between the words); 'MUST' otherwise, including sentences with both.
 */
export function levelOf(sentence: string): Level {
  const musts = [...sentence.matchAll(/\bMUST\b(\**\s+\**(NOT)\b)?/gi)].filter((m) => m[0].startsWith('MUST'));
  return musts.length > 0 && musts.every((m) => m[2] !== undefined && /^not$/i.test(m[2])) ? 'MUST NOT' : 'MUST';
}
