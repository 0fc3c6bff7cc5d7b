// Regenerates conformance/catalogue/catalogue.json from the spec texts.
//
//   node_modules/.bin/bun scripts/gen-catalogue.ts            write it
//   node_modules/.bin/bun scripts/gen-catalogue.ts --check    exit 1 if it is out of date
//
// Every MUST sentence extract.ts finds becomes an entry. The hand-written `testable` and `why` of an
// entry are kept when its id still names the same sentence, verbatim; a new sentence, or one whose
// text changed, gets `testable: false, why: "not yet reviewed"`, which the unit tests refuse, so
// someone reads it and decides. catalogue.json is the only place annotations are written: edit
// them there, then run this script again to check nothing else moved.
//
// The spec texts are the repository's own spec/ (spec/SOURCE.md says where they come from), or
// $OCI_SPEC_DIR when set.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractAll } from '../conformance/catalogue/extract.ts';
import { levelOf, NOT_REVIEWED, type CatalogueEntry } from '../conformance/catalogue/entry.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE_JSON = join(repo, 'conformance', 'catalogue', 'catalogue.json');
export const specDir = () => process.env.OCI_SPEC_DIR ?? join(repo, 'spec');

export interface Generated {
  entries: CatalogueEntry[];
  added: string[]; // ids new to the catalogue
  changed: string[]; // ids whose sentence changed: their annotation was dropped
  removed: string[]; // ids no longer found
  /** For a new or changed id: an old id that held the same sentence, to copy its annotation by hand. */
  movedFrom: Map<string, string>;
}

/** The catalogue for the spec at `spec`, carrying annotations over from `old`. Pure apart from reading the spec. */
export function generate(spec: string, old: CatalogueEntry[]): Generated {
  const oldById = new Map(old.map((e) => [e.id, e]));
  const added: string[] = [];
  const changed: string[] = [];
  const movedFrom = new Map<string, string>();
  const entries = extractAll(spec).map((s): CatalogueEntry => {
    const base = { id: s.id, edition: s.edition, file: s.file, section: s.section, sentence: s.sentence, level: levelOf(s.sentence) };
    const prev = oldById.get(s.id);
    if (prev && prev.sentence === s.sentence) {
      return prev.testable ? { ...base, testable: true } : { ...base, testable: false, why: prev.why ?? NOT_REVIEWED };
    }
    (prev ? changed : added).push(s.id);
    const same = old.filter((e) => e.file === s.file && e.sentence === s.sentence && e.id !== s.id);
    if (same.length === 1) movedFrom.set(s.id, same[0]!.id);
    return { ...base, testable: false, why: NOT_REVIEWED };
  });
  const now = new Set(entries.map((e) => e.id));
  const removed = old.filter((e) => !now.has(e.id)).map((e) => e.id);
  return { entries, added, changed, removed, movedFrom };
}

export const serialise = (entries: CatalogueEntry[]) => JSON.stringify(entries, null, 2) + '\n';

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const spec = specDir();
  if (!existsSync(spec)) {
    console.error(`gen-catalogue: no spec texts at ${spec} (set OCI_SPEC_DIR)`);
    return 2;
  }
  const before = existsSync(CATALOGUE_JSON) ? readFileSync(CATALOGUE_JSON, 'utf8') : '[]\n';
  const g = generate(spec, JSON.parse(before) as CatalogueEntry[]);
  const after = serialise(g.entries);
  for (const id of g.added) console.log(`added    ${id}${g.movedFrom.has(id) ? ` (same sentence as ${g.movedFrom.get(id)})` : ''}`);
  for (const id of g.changed) console.log(`changed  ${id}${g.movedFrom.has(id) ? ` (same sentence as ${g.movedFrom.get(id)})` : ''}`);
  for (const id of g.removed) console.log(`removed  ${id}`);
  const unreviewed = g.entries.filter((e) => e.why === NOT_REVIEWED).length;
  const testable = g.entries.filter((e) => e.testable).length;
  console.log(`${g.entries.length} entries, ${testable} testable, ${unreviewed} not yet reviewed`);
  if (after === before) return 0;
  if (check) {
    console.error('gen-catalogue: catalogue.json is out of date; run node_modules/.bin/bun scripts/gen-catalogue.ts');
    return 1;
  }
  const tmp = `${CATALOGUE_JSON}.tmp`;
  writeFileSync(tmp, after);
  renameSync(tmp, CATALOGUE_JSON);
  console.log(`wrote ${CATALOGUE_JSON}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
