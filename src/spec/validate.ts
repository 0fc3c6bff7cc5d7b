// Validating a bundle, the one path for `ocirt validate`, `create` and `run`:
//
//   read config.json (read-config.ts: missing, empty, not JSON, too big, too deep → one finding)
//   → the edition from ociVersion (edition.ts; an invalid or unknown one is a finding at /ociVersion)
//   → the edition's JSON Schema (schema/, compiled to standalone code at build time)
//   → the semantic checks (checks/), when the document is an object the schema could walk
//   → ocirt's own refusals (unsupported.ts)
//   → sorted by pointer, deduplicated.
//
// Fields the spec defines and ocirt does not implement yet are not the bundle's fault: for
// `validate` they are warnings ("...; valid per the spec, but create and run refuse it"), for
// create and run errors.
import { resolve } from 'node:path';
import { semanticFindings } from './checks/index.ts';
import { editionOf, type Edition } from './edition.ts';
import type { Finding } from './findings.ts';
import { readConfigFile } from './read-config.ts';
import { schemaFindings } from './schema/index.ts';
import { NOT_SUPPORTED, unsupportedFindings } from './unsupported.ts';

/** validate: ocirt's refusals are warnings; create: they are errors, since create cannot honour them. */
export type Purpose = 'validate' | 'create';

export interface Validation {
  edition?: Edition;
  findings: Finding[];
  /** the parsed config.json, when it is a JSON object */
  config?: Record<string, unknown>;
}

export function validateBundle(dir: string, purpose: Purpose = 'validate'): Validation {
  const abs = resolve(dir);
  const read = readConfigFile(abs);
  if (!read.ok) return { findings: [read.finding] };
  return { ...validateConfig(read.config, abs, purpose), config: read.config };
}

const VERSION_REFERENCE = { file: 'v1.3.0/config.md', section: 'Specification version' };

/** Validates a parsed config.json; `bundleDir` anchors relative paths such as root.path. */
export function validateConfig(config: Record<string, unknown>, bundleDir: string, purpose: Purpose = 'validate'): { edition?: Edition; findings: Finding[] } {
  const e = editionOf(config.ociVersion);
  if (!e.ok) return { findings: [{ pointer: '/ociVersion', message: e.message, severity: 'error', reference: VERSION_REFERENCE, fix: e.fix }] };
  const edition = e.edition;
  const schema = guarded(() => schemaFindings(config, edition === 'v1' ? 'config-v1' : 'config-draft'));
  // A document whose root the schema rejects gives the checks nothing sound to walk.
  const rootBroken = schema.some((f) => f.pointer === '' && f.severity === 'error');
  const semantic = rootBroken ? [] : guarded(() => semanticFindings(config, { edition, bundleDir }));
  const refusals = unsupportedFindings(config).map((f) => asPurpose(f, purpose));
  return { edition, findings: tidy(schema, [...semantic, ...refusals]) };
}

function asPurpose(f: Finding, purpose: Purpose): Finding {
  if (purpose === 'create') return f;
  const what = f.message.slice(0, f.message.indexOf(NOT_SUPPORTED) + NOT_SUPPORTED.length);
  return { ...f, severity: 'warning', message: `${what}; valid per the spec, but create and run refuse it` };
}

/** A check that throws is ocirt's bug, but still one finding rather than a stack trace. */
function guarded(check: () => Finding[]): Finding[] {
  try {
    return check();
  } catch (err) {
    const why = err instanceof RangeError ? 'the document is too deeply nested or too large to check' : err instanceof Error ? err.message : String(err);
    return [{ pointer: '', message: `internal error while checking the config: ${why}`, severity: 'error', reference: { file: 'v1.3.0/config.md', section: 'Configuration' } }];
  }
}

/**
 * Schema findings first in authority: another finding about a pointer the schema already rejected
 * says the same thing twice (e.g. an unknown namespace type). Then deduplicated and sorted.
 */
function tidy(schema: Finding[], others: Finding[]): Finding[] {
  const rejected = new Set(schema.filter((f) => f.severity === 'error').map((f) => f.pointer));
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of [...schema, ...others.filter((o) => !(o.severity === 'error' && rejected.has(o.pointer)))]) {
    const key = `${f.pointer}\0${f.severity}\0${f.message}`;
    if (!seen.has(key)) seen.add(key), out.push(f);
  }
  return out.sort(byPointer);
}

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

/** By pointer, segment by segment, array indices as numbers (/mounts/9 before /mounts/10); errors first. */
export function byPointer(a: Finding, b: Finding): number {
  const pa = a.pointer.split('/');
  const pb = b.pointer.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i]!, pb[i]!];
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
