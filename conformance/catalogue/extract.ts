// Finds every sentence with MUST or MUST NOT in the spec files the catalogue covers, with the
// section it stands in. The spec keeps one sentence to a line (its style guide), so a line is
// split further only where it holds several sentences; table rows (the mount options' requirement
// column) count as sentences. Some paragraphs (config-linux.md's network devices, cgroup ownership,
// intelRdt monitoring; config.md's capabilities) are hard-wrapped instead: a line that stops
// mid-sentence is joined with the lines that continue it before splitting, so that a sentence is
// whole. A stable id: edition:file:section-slug:n (n counts within the section).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Edition = 'draft' | 'v1';

export interface SpecFile {
  edition: Edition;
  file: string; // relative to spec/<edition dir>/
  /** Only these top-level (##) sections, by their title; all when absent. */
  sections?: string[];
}

/** The files of issue "Conformance suite": the draft's lifecycle and four config sections, and v1.3.0 (with the features structure). */
export const SPEC_FILES: SpecFile[] = [
  { edition: 'draft', file: 'runtime.md' },
  { edition: 'draft', file: 'config.md', sections: ['Root Configuration', 'Mounts', 'Process configuration', 'Hooks'] },
  { edition: 'v1', file: 'runtime.md' },
  { edition: 'v1', file: 'runtime-linux.md' },
  { edition: 'v1', file: 'config.md' },
  { edition: 'v1', file: 'config-linux.md' },
  { edition: 'v1', file: 'features.md' },
  { edition: 'v1', file: 'features-linux.md' },
];

export interface MustSentence {
  id: string;
  edition: Edition;
  file: string;
  section: string; // the nearest heading's title
  sentence: string; // verbatim, list marker and surrounding space trimmed
}

const EDITION_DIR: Record<Edition, string> = { draft: 'draft', v1: 'v1.3.0' };

export const headingTitle = (line: string) => line.replace(/^#+\s*/, '').replace(/<a name="[^"]*"\s*\/>/g, '').trim();
export const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Sentences of one line: split after . ! ? followed by a space and a capital, a backtick or a quote. */
export function sentencesOf(line: string): string[] {
  const text = line.trim().replace(/^[*-]\s+/, '');
  if (text.startsWith('|')) return [text];
  return text.split(/(?<=[.!?])\s+(?=[A-Z`"*[])/);
}

const hasMust = (s: string) => /\bMUST\b/.test(s);

/** A table row, with or without a leading pipe (the mount options' table has none). */
const isTableRow = (line: string) => /^\s*\|/.test(line) || (line.match(/\|/g) ?? []).length >= 2;
/** A line that starts a block of its own: blank, heading, fence, list item, table row, quote, HTML, link definition. */
const startsBlock = (line: string) =>
  line.trim() === '' ||
  /^\s*(#{1,6}\s|```|[*+-]\s|\d+\.\s|\||>|<|\[[^\]]+\]:)/.test(line) ||
  isTableRow(line);
/** A line that ends a sentence (or introduces a list or table): it is not continued by the next. */
const endsSentence = (line: string) => /[.!?:]["'`)*\]]*\s*$/.test(line) || isTableRow(line);

/**
 * Joins hard-wrapped lines: a line that stops mid-sentence takes the following lines that carry
 * on the same paragraph or list item (they start in lower case, a bracket, a backtick or a
 * parenthesis), up to the end of the sentence. Lines in code blocks are left alone.
 */
export function joinWrapped(lines: string[]): string[] {
  const out: string[] = [];
  let inCode = false;
  let open = false; // the last line of `out` stops mid-sentence
  for (const line of lines) {
    if (line.trimStart().startsWith('```')) {
      inCode = !inCode;
      open = false;
      out.push(line);
      continue;
    }
    // A capital starts a new sentence (one to a line), even where the last one lacks its full stop.
    if (!inCode && open && !startsBlock(line) && !/^\s*[A-Z]/.test(line)) {
      out[out.length - 1] = `${out[out.length - 1]!.trimEnd()} ${line.trim()}`;
    } else {
      out.push(line);
    }
    open = !inCode && line.trim() !== '' && !/^\s*#{1,6}\s/.test(line) && !endsSentence(out[out.length - 1]!);
  }
  return out;
}

export function extract(specRoot: string, f: SpecFile): MustSentence[] {
  const lines = readFileSync(join(specRoot, EDITION_DIR[f.edition], f.file), 'utf8').split('\n');
  const out: MustSentence[] = [];
  const counts = new Map<string, number>();
  const stem = f.file.replace(/\.md$/, '');
  let section = '';
  let topSection = '';
  let inCode = false;
  for (const line of joinWrapped(lines)) {
    if (line.trimStart().startsWith('```')) inCode = !inCode;
    if (inCode) continue;
    if (/^#{1,6}\s/.test(line)) {
      section = headingTitle(line);
      if (/^##\s/.test(line)) topSection = section;
      continue;
    }
    if (f.sections && !f.sections.includes(topSection)) continue;
    for (const sentence of sentencesOf(line).filter(hasMust)) {
      const key = slug(section);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      out.push({ id: `${f.edition}:${stem}:${key}:${n}`, edition: f.edition, file: `${EDITION_DIR[f.edition]}/${f.file}`, section, sentence });
    }
  }
  return out;
}

export function extractAll(specRoot: string): MustSentence[] {
  return SPEC_FILES.flatMap((f) => extract(specRoot, f));
}
