// Schema findings: config.json and state JSON checked against the JSON Schemas beside this file,
// written from spec/ (config.md, config-linux.md, runtime.md "State" of each edition).
// The validators are ajv's standalone code, compiled at build time by scripts/compile-schemas.ts
// into generated/ (npm run build:schemas): nothing here compiles a schema, and nothing imports ajv
// itself, only its small runtime helpers.
//
// ajv's errors become findings: the pointer is ajv's instancePath; the message is one line that
// does not repeat the field (the CLI prefixes it from the pointer); the reference is the nearest
// schema `description` ("file#Section") on the way to the pointer; the fix is given where obvious.
// ajv's cascades (an anyOf's failed branches, if/then's "must match then", a propertyNames
// keyword's inner error, minimum after "must be an integer") collapse to one finding.
import type { Finding, SpecReference } from '../findings.ts';
import * as configDraft from './generated/config-draft.js';
import * as configV1 from './generated/config-v1.js';
import type { ReferenceNode, SchemaError, ValidateFunction } from './generated/config-v1.js';
import * as stateDraft from './generated/state-draft.js';
import * as stateV1 from './generated/state-v1.js';

export type SchemaKind = 'config-v1' | 'config-draft' | 'state-v1' | 'state-draft';

interface Compiled {
  validate: ValidateFunction;
  references: ReferenceNode;
  editionDir: string; // the directory under spec/ the descriptions' files are in
}

const SCHEMAS: Record<SchemaKind, Compiled> = {
  'config-v1': { validate: configV1.validate, references: configV1.references, editionDir: 'v1.3.0' },
  'config-draft': { validate: configDraft.validate, references: configDraft.references, editionDir: 'draft' },
  'state-v1': { validate: stateV1.validate, references: stateV1.references, editionDir: 'v1.3.0' },
  'state-draft': { validate: stateDraft.validate, references: stateDraft.references, editionDir: 'draft' },
};

/** Every way `doc` breaks the schema of `kind`; empty when it conforms. */
export function schemaFindings(doc: unknown, kind: SchemaKind): Finding[] {
  const schema = SCHEMAS[kind];
  if (schema.validate(doc)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of collapse(schema.validate.errors ?? [])) {
    const finding = toFinding(error, doc, schema);
    const key = `${finding.pointer}\0${finding.message}`;
    if (seen.has(key)) continue; // the same rule reached twice (e.g. process's type, from two subschemas)
    seen.add(key);
    findings.push(finding);
  }
  return inDocumentOrder(findings, doc);
}

/** ajv reports in the schema's order; a reader expects the config's own order, top to bottom. */
function inDocumentOrder(findings: Finding[], doc: unknown): Finding[] {
  if (findings.length < 2) return findings;
  const keyIndex = new Map<object, Map<string, number>>(); // built once per object: a map can be huge
  const indexOf = (value: object, key: string): number => {
    let index = keyIndex.get(value);
    if (index === undefined) keyIndex.set(value, (index = new Map(Object.keys(value).map((k, n) => [k, n]))));
    return index.get(key) ?? -1;
  };
  const position = (pointer: string): number[] => {
    const out: number[] = [];
    let value = doc;
    for (const s of segmentsOf(pointer)) {
      if (value === null || typeof value !== 'object') break;
      out.push(Array.isArray(value) ? Number(s) : indexOf(value, s));
      value = (value as Record<string, unknown>)[s];
    }
    return out;
  };
  const keyed = findings.map((f, n) => ({ f, n, at: position(f.pointer) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < Math.min(x.at.length, y.at.length); i++) if (x.at[i] !== y.at[i]) return x.at[i]! - y.at[i]!;
    return x.at.length - y.at.length || x.n - y.n;
  });
  return keyed.map((k) => k.f);
}

/** An anyOf/oneOf keeps its branches' errors for the message; everything else is one error each. */
interface Collapsed {
  error: SchemaError;
  branches: SchemaError[];
}

function collapse(errors: SchemaError[]): Collapsed[] {
  const out: Collapsed[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue; // always follows its then/else errors
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      // The branches' errors come just before, under this keyword's schemaPath (compile-schemas.ts
      // refuses a $ref inside a branch, which would report elsewhere).
      const prefix = `${error.schemaPath}/`;
      const branches: SchemaError[] = [];
      while (out.length > 0 && out[out.length - 1]!.error.schemaPath.startsWith(prefix)) branches.unshift(out.pop()!.error);
      out.push({ error, branches });
      continue;
    }
    if (error.propertyName !== undefined) {
      // propertyNames: the inner error names the key; the propertyNames error that follows is dropped.
      out.push({ error, branches: [] });
      continue;
    }
    if (error.keyword === 'propertyNames') continue;
    out.push({ error, branches: [] });
  }
  // "must be an integer" makes "must be at least 0" at the same place noise.
  const typed = new Set(out.filter((c) => c.error.keyword === 'type').map((c) => c.error.instancePath));
  return out.filter((c) => c.error.keyword === 'type' || c.error.keyword === 'required' || !typed.has(c.error.instancePath));
}

function toFinding({ error, branches }: Collapsed, doc: unknown, schema: Compiled): Finding {
  const segments = segmentsOf(error.instancePath);
  const { message, fix, child } = describe(error, branches, doc, segments, schema.references);
  const node = child !== undefined ? [...segments, child] : segments;
  const finding: Finding = {
    pointer: error.instancePath,
    message,
    severity: 'error',
    reference: referenceOf(schema, node),
  };
  if (fix !== undefined) finding.fix = fix;
  return finding;
}

interface Described {
  message: string;
  fix?: string;
  child?: string; // a property the finding is about, below the pointer (for its reference)
}

function describe(
  error: SchemaError,
  branches: SchemaError[],
  doc: unknown,
  segments: string[],
  refs: ReferenceNode,
): Described {
  const p = error.params;
  const field = (name: string) => fieldName([...segments, name]);
  switch (error.keyword) {
    case 'required': {
      const name = String(p.missingProperty);
      const type = nodeAt(refs, [...segments, name])?.t;
      return { message: `"${name}" is required`, fix: `add ${field(name)}${type ? ` (${article(type)})` : ''}`, child: name };
    }
    case 'dependentRequired': {
      const [has, missing] = [String(p.property), String(p.missingProperty)];
      return { message: `"${has}" is given without "${missing}"`, fix: `add ${field(missing)}, or remove ${field(has)}`, child: has };
    }
    case 'type': {
      const want = String(p.type).split(',');
      return { message: `must be ${want.map(article).join(' or ')}`, fix: typeFix(want, valueAt(doc, segments)) };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => (v === null ? 'null' : String(v)));
      const value = valueAt(doc, segments);
      const near = typeof value === 'string' ? closest(value, allowed) : undefined;
      return { message: `must be one of ${allowed.join(', ')}`, fix: near ? `use "${near}"` : `use one of ${allowed.join(', ')}` };
    }
    case 'const':
      return { message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'minimum':
      return { message: Number(p.limit) === 0 ? 'must not be negative' : `must be at least ${p.limit}` };
    case 'maximum':
      return { message: `must be at most ${p.limit}` };
    case 'exclusiveMinimum':
      return { message: `must be greater than ${p.limit}` };
    case 'exclusiveMaximum':
      return { message: `must be less than ${p.limit}` };
    case 'minLength':
      if (error.propertyName !== undefined) {
        return error.propertyName === ''
          ? { message: 'has an empty key', fix: 'remove the entry with the empty key, or name it' }
          : { message: `key "${error.propertyName}" is too short` };
      }
      return { message: Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long` };
    case 'maxLength':
      return { message: `must be at most ${p.limit} characters long` };
    case 'minItems':
      return Number(p.limit) === 1
        ? { message: 'must not be empty', fix: 'add at least one entry' }
        : { message: `must have at least ${p.limit} entries` };
    case 'maxItems':
      return { message: `must have at most ${p.limit} entries` };
    case 'pattern':
      return { message: PATTERNS[String(p.pattern)] ?? `must match the pattern ${p.pattern}` };
    case 'anyOf':
    case 'oneOf':
      return describeBranches(error, branches, segments);
    default:
      if (error.propertyName !== undefined) return { message: `key "${error.propertyName}" ${error.message ?? 'is not valid'}` };
      return { message: error.message ?? `breaks the schema's "${error.keyword}" rule` };
  }
}

/** What the schemas' patterns mean, in words. */
const PATTERNS: Record<string, string> = {
  [String.raw`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`]:
    'must be a SemVer 2.0.0 version, such as 1.3.0',
  '^[rwm]*$': 'must be made of the letters r, w and m',
  '^[1-9][0-9]*[KMGTPE]?B$': 'must be a size such as 64KB, 2MB or 1GB',
  '^MB:[^\\n]*$': 'must start with "MB:" and hold no newline',
  '^[^\\n]*$': 'must not contain a newline',
};

/** An anyOf of `required`s ("at least one of weight, leafWeight") is said as such. */
function describeBranches(error: SchemaError, branches: SchemaError[], segments: string[]): Described {
  if (error.keyword === 'oneOf' && error.params.passingSchemas != null) {
    return { message: 'matches more than one of the allowed forms' };
  }
  const here = branches.filter((b) => b.instancePath === error.instancePath);
  if (here.length > 0 && here.length === branches.length && here.every((b) => b.keyword === 'required')) {
    const names = here.map((b) => String(b.params.missingProperty));
    return {
      message: `needs at least one of ${names.map((n) => `"${n}"`).join(', ')}`,
      fix: `add ${names.map((n) => fieldName([...segments, n])).join(' or ')}`,
    };
  }
  if (here.length > 0 && here.length === branches.length && here.every((b) => b.keyword === 'type')) {
    return { message: `must be ${here.map((b) => article(String(b.params.type))).join(' or ')}` };
  }
  return { message: 'matches none of the allowed forms' };
}

function typeFix(want: string[], value: unknown): string | undefined {
  if (typeof value === 'string' && (want.includes('integer') || want.includes('number')) && /^-?\d+(\.\d+)?$/.test(value.trim())) {
    return `write the number without quotes: ${value.trim()}`;
  }
  if (typeof value === 'string' && want.includes('boolean') && /^(true|false)$/.test(value.trim())) {
    return `write ${value.trim()} without quotes`;
  }
  if (want.includes('array') && typeof value === 'string') return `make it an array: [${JSON.stringify(value)}]`;
  return `make it ${article(want[0]!)}`;
}

const ARTICLES: Record<string, string> = {
  integer: 'an integer',
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  null: 'null',
};
const article = (type: string) => ARTICLES[type] ?? type;

/**
 * The allowed value a typo most likely meant: within 2 edits, ignoring case and the values' common
 * prefix ("interleave" for MPOL_INTERLEAVE), or the one value it begins ("net" for network).
 */
export function closest(value: string, allowed: string[]): string | undefined {
  const lower = value.toLowerCase();
  const common = commonPrefix(allowed.map((a) => a.toLowerCase()));
  const bare = (a: string) => a.toLowerCase().slice(common.length);
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = Math.min(distance(lower, a.toLowerCase()), common ? distance(lower.startsWith(common) ? lower.slice(common.length) : lower, bare(a)) : 4);
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  if (best) return best;
  const prefixed = allowed.filter((a) => lower.length >= 3 && (a.toLowerCase().startsWith(lower) || bare(a).startsWith(lower)));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** The prefix, up to and including a "_", that every value shares ("sched_", "mpol_"), or "". */
function commonPrefix(values: string[]): string {
  if (values.length < 2) return '';
  let prefix = values[0]!;
  for (const v of values) while (!v.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('_') + 1);
}

/** Levenshtein distance, stopping early past 3 (only small distances matter here). */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** RFC 6901 pointer → its unescaped segments. */
function segmentsOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** "process.user.uid", "linux.namespaces[1].type": the CLI's way of naming a field. */
function fieldName(segments: string[]): string {
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

function valueAt(doc: unknown, segments: string[]): unknown {
  let value = doc;
  for (const s of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[s];
  }
  return value;
}

/** The schema node at a location: a property, an array's items, or a map's values. */
function nodeAt(root: ReferenceNode, segments: string[]): ReferenceNode | undefined {
  let node: ReferenceNode | undefined = root;
  for (const s of segments) {
    if (node === undefined) return undefined;
    node = step(node, s);
  }
  return node;
}

function step(node: ReferenceNode, segment: string): ReferenceNode | undefined {
  if (node.p && Object.hasOwn(node.p, segment)) return node.p[segment];
  if (node.i && /^\d+$/.test(segment)) return node.i;
  return node.a;
}

/** The deepest description on the way to the location: "config-linux.md#Namespaces" → its SpecReference. */
function referenceOf(schema: Compiled, segments: string[]): SpecReference {
  let node: ReferenceNode | undefined = schema.references;
  let description = node.d!;
  for (const s of segments) {
    node = step(node, s);
    if (node === undefined) break;
    if (node.d !== undefined) description = node.d;
  }
  const hash = description.indexOf('#');
  return { file: `${schema.editionDir}/${description.slice(0, hash)}`, section: description.slice(hash + 1) };
}
