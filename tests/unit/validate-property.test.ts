// Property: whatever is done to a valid config — properties deleted, values swapped for values of
// other types, properties and elements inserted, at random paths — validation never throws, and
// every finding has a non-empty message and a pointer that resolves in the mutated document (or,
// for a missing property, whose parent does).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/spec/findings.ts';
import { specTemplate } from '../../src/spec/template.ts';
import { validateConfig } from '../../src/spec/validate.ts';

const PROJECT = resolve(import.meta.dirname, '../..');
const sample = (name: string) => JSON.parse(readFileSync(join(PROJECT, 'bundles', name, 'config.json'), 'utf8')) as Record<string, unknown>;
const BASES: Record<string, Record<string, unknown>> = {
  'v1-basic': sample('v1-basic'),
  'v1-userns': sample('v1-userns'),
  'draft-basic': sample('draft-basic'),
  'draft-autoremove': sample('draft-autoremove'),
  'spec-v1-rootless': specTemplate({ edition: 'v1', rootless: true, uid: 1000, gid: 1000, arch: 'amd64' }),
  'spec-draft': specTemplate({ edition: 'draft', rootless: false, uid: 0, gid: 0, arch: 'amd64' }),
};

// A bundle directory with an (empty) rootfs, so that root.path is a directory unless a mutation says otherwise.
const bundleDir = mkdtempSync(join(tmpdir(), 'ocirt-prop-'));
mkdirSync(join(bundleDir, 'rootfs'));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

type Path = Array<string | number>;
type Json = unknown;

/** Every path in the document (the root is []). */
function pathsOf(doc: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) pathsOf(v, [...prefix, k], out);
  return out;
}

const parentOf = (doc: Json, path: Path): Record<string | number, Json> | undefined =>
  path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], doc) as Record<string | number, Json> | undefined;

interface Mutation {
  kind: 'delete' | 'replace' | 'insert';
  pick: number;
  key: string;
  value: Json;
}

function apply(doc: Record<string, unknown>, mutation: Mutation): void {
  // A copy: fast-check may hand the same value to two mutations, and a value inserted into itself is a cycle no JSON text makes.
  const m = { ...mutation, value: structuredClone(mutation.value) };
  const paths = pathsOf(doc);
  const path = paths[m.pick % paths.length]!;
  if (m.kind === 'insert') {
    const target = path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], doc);
    if (Array.isArray(target)) target.splice(m.pick % (target.length + 1), 0, m.value);
    else if (target !== null && typeof target === 'object') (target as Record<string, Json>)[m.key] = m.value;
    return;
  }
  if (path.length === 0) return; // the root stays an object: other documents are read-config.ts's
  const parent = parentOf(doc, path)!;
  const last = path.at(-1)!;
  if (m.kind === 'replace') parent[last] = m.value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
}

function resolves(doc: Json, pointer: string): boolean {
  if (pointer === '') return true;
  if (!pointer.startsWith('/')) return false;
  let v: Json = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return false;
    v = (v as Record<string, Json>)[key];
  }
  return true;
}

const parentPointer = (pointer: string) => pointer.slice(0, pointer.lastIndexOf('/'));

function checkFinding(doc: Json, f: Finding): void {
  expect(typeof f.message === 'string' && f.message.trim() !== '', `empty message at ${f.pointer}`).toBe(true);
  expect(f.message).not.toMatch(/internal error/);
  expect(['error', 'warning']).toContain(f.severity);
  expect(f.reference.file).toMatch(/^(v1\.3\.0|draft)\/[a-z-]+\.md$/);
  expect(f.reference.section.length).toBeGreaterThan(0);
  expect(resolves(doc, f.pointer) || resolves(doc, parentPointer(f.pointer)), `pointer ${JSON.stringify(f.pointer)} does not resolve`).toBe(true);
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'insert'),
  pick: fc.nat(),
  key: fc.oneof(fc.constantFrom('type', 'path', 'options', 'uid', 'hooks', 'seccomp', 'namespaces', 'ociVersion', '', '~/'), fc.string()),
  value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, -1, 4294967296, 1.5, '', 'relative/path', '/abs', [], {})),
});

describe('validation of mutated configs (property)', () => {
  it.each(Object.keys(BASES))('%s: nothing throws and every finding has a resolvable pointer and a message', (name) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        const doc = structuredClone(BASES[name]!);
        for (const m of mutations) apply(doc, m);
        const { findings } = validateConfig(doc, bundleDir);
        for (const f of findings) checkFinding(doc, f);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(Object.keys(BASES))('%s: the unmutated config has no errors', (name) => {
    const { findings } = validateConfig(structuredClone(BASES[name]!), bundleDir);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
