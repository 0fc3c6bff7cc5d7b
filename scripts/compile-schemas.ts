// Compiles the JSON Schemas in src/spec/schema/ to standalone validator modules, so that ocirt
// never compiles a schema when it starts (issue "Bundle validation": no schema compiled at start-up).
//
//   node_modules/.bin/bun scripts/compile-schemas.ts          (npm run build:schemas)
//
// For each KIND.schema.json it writes src/spec/schema/generated/KIND.js and KIND.d.ts (gitignored):
//
//   export const validate      ajv's standalone validate function (strict mode, allErrors)
//   export default validate
//   export const references    the schema's shape (properties, items, map values) with each
//                              node's `description` ("file#Section"), for findings' spec references
//
// ajv's standalone code pulls its runtime helpers (ucs2length for minLength, ajv-formats' format
// functions) with `require("…")`, which an ES module cannot do under Node. They are rewritten as
// `import * as` of the same file, unwrapped by __cjs() so the module.exports object comes out the
// same under Node (namespace.default is module.exports), Bun, and `bun build --compile`.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import ajvStandalone from 'ajv/dist/standalone/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA_DIR = join(repo, 'src', 'spec', 'schema');
const OUT_DIR = join(SCHEMA_DIR, 'generated');
const require = createRequire(import.meta.url);
// CommonJS modules whose module.exports is also their own `.default`: the default import is
// module.exports under Node and exports.default under Bun, and `.default` of either is the same.
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;
const standaloneCode = ajvStandalone.default;

type Schema = boolean | { [keyword: string]: unknown };

/** The part of a schema findings need: where each instance location's spec reference is. */
export interface ReferenceNode {
  d?: string; // description: "file#Section"
  t?: string; // the JSON type expected there, for "add X (a string)"
  p?: Record<string, ReferenceNode>; // properties
  i?: ReferenceNode; // array items
  a?: ReferenceNode; // values of a map (additionalProperties)
}

export function compile(schema: object): string {
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true, // the draft's cgroup device rule: "`null` or unset values mean all"
    allErrors: true,
    code: { source: true, esm: true },
  });
  addFormats(ajv);
  return rewriteRequires(appendInPlace(standaloneCode(ajv, ajv.compile(schema))));
}

/**
 * ajv gathers a called validator's errors with `vErrors = vErrors.concat(v.errors)`, which copies
 * every error gathered so far at each call: quadratic in the errors, 0.9 s for 40,000 bad mounts
 * (measured). Appending in place keeps it linear. ajv already aliases and pushes into these arrays
 * (`vErrors = v.errors`, then `vErrors.push(err)`), so mutating them is its own pattern.
 */
export function appendInPlace(code: string): string {
  const concat = /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g;
  const out = code.replace(concat, 'vErrors = vErrors === null ? $1.errors : __append(vErrors, $1.errors);');
  if (out.includes('.concat(')) throw new Error('ajv gathers errors in a way compile-schemas.ts does not know: check appendInPlace');
  if (out === code) return out;
  return `function __append(a, b) { for (let i = 0; i < b.length; i++) a.push(b[i]); return a; }\n${out}`;
}

/** `require("x")` → an ES import of x, unwrapped to its module.exports under Node and Bun alike. */
export function rewriteRequires(code: string): string {
  const imports: string[] = [];
  const specifiers = new Map<string, string>();
  const body = code.replace(/require\("([^"]+)"\)/g, (_all, spec: string) => {
    let name = specifiers.get(spec);
    if (name === undefined) {
      name = `__cjs${specifiers.size}`;
      specifiers.set(spec, name);
      imports.push(`import * as ${name}_ns from ${JSON.stringify(withExtension(spec))};`);
      imports.push(`const ${name} = __cjs(${name}_ns);`);
    }
    return name;
  });
  if (imports.length === 0) return body;
  const helper =
    'function __cjs(ns) { const d = ns.default; return d !== null && typeof d === "object" && d.__esModule ? d : ns; }';
  return [...imports, helper, body].join('\n');
}

/** Node's ES module resolution wants the file's extension on a package subpath with no "exports" map. */
function withExtension(spec: string): string {
  if (/\.[cm]?js$/.test(spec)) return spec;
  const resolved = require.resolve(spec);
  return resolved.endsWith(`${spec.split('/').pop()}.js`) ? `${spec}.js` : spec;
}

/** The reference tree of a schema: $refs followed, subschemas of anyOf/oneOf/allOf/if/then/else merged in. */
export function referencesOf(root: Schema): ReferenceNode {
  const resolveRef = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
  const build = (schema: Schema, depth: number): ReferenceNode => {
    if (depth > 64) throw new Error('schema nests too deeply (a recursive $ref?)');
    const node: ReferenceNode = {};
    if (typeof schema === 'boolean') return node;
    if (typeof schema.description === 'string') node.d = schema.description;
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (typeof type === 'string') node.t = type;
    const props = schema.properties as Record<string, Schema> | undefined;
    if (props) {
      node.p = {};
      for (const [k, v] of Object.entries(props)) node.p[k] = build(v, depth + 1);
    }
    if (schema.items !== undefined && typeof schema.items === 'object') node.i = build(schema.items as Schema, depth + 1);
    if (schema.additionalProperties !== undefined && typeof schema.additionalProperties === 'object') {
      node.a = build(schema.additionalProperties as Schema, depth + 1);
    }
    // A sibling's own description wins over the referenced definition's: it is the more specific.
    if (typeof schema.$ref === 'string') merge(node, build(resolveRef(schema.$ref), depth + 1));
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      for (const sub of (schema[key] as Schema[] | undefined) ?? []) merge(node, build(sub, depth + 1));
    }
    for (const key of ['if', 'then', 'else']) {
      if (schema[key] !== undefined) merge(node, build(schema[key] as Schema, depth + 1));
    }
    return node;
  };
  return build(root, 0);
}

/** Fills what `into` lacks from `from`, recursively. */
function merge(into: ReferenceNode, from: ReferenceNode): void {
  into.d ??= from.d;
  into.t ??= from.t;
  for (const key of ['i', 'a'] as const) {
    if (from[key]) into[key] ? merge(into[key]!, from[key]!) : (into[key] = from[key]);
  }
  if (from.p) {
    into.p ??= {};
    for (const [k, v] of Object.entries(from.p)) into.p[k] ? merge(into.p[k]!, v) : (into.p[k] = v);
  }
}

/**
 * Every anyOf/oneOf branch must report its errors under the keyword's own schemaPath, which a
 * branch that is (or starts with) a $ref would not: schema/index.ts drops a failed anyOf's branch
 * errors by that prefix.
 */
function checkBranches(schema: Schema, at: string): void {
  if (typeof schema !== 'object' || schema === null) return;
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      value.forEach((branch, n) => {
        if (JSON.stringify(branch).includes('"$ref"')) throw new Error(`${at}/${key}/${n}: no $ref inside ${key} branches`);
      });
    }
    if (value !== null && typeof value === 'object') checkBranches(value as Schema, `${at}/${key}`);
  }
}

const header = (source: string) =>
  `// Generated by scripts/compile-schemas.ts from src/spec/schema/${source}: do not edit (npm run build:schemas).\n`;

const DTS = `export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
  propertyName?: string;
}
export interface ReferenceNode {
  d?: string;
  t?: string;
  p?: Record<string, ReferenceNode>;
  i?: ReferenceNode;
  a?: ReferenceNode;
}
export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
export declare const validate: ValidateFunction;
export default validate;
export declare const references: ReferenceNode;
`;

function main(): void {
  const sources = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort();
  if (sources.length === 0) throw new Error(`no *.schema.json in ${SCHEMA_DIR}`);
  const tmp = `${OUT_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const source of sources) {
    const kind = basename(source, '.schema.json');
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, source), 'utf8')) as Schema;
    checkBranches(schema, '#');
    const code = compile(schema as object);
    const refs = `export const references = ${JSON.stringify(referencesOf(schema))};\n`;
    writeFileSync(join(tmp, `${kind}.js`), `${header(source)}${code}\n${refs}`);
    writeFileSync(join(tmp, `${kind}.d.ts`), `${header(source)}${DTS}`);
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  renameSync(tmp, OUT_DIR);
  console.log(`compiled ${sources.length} schemas into ${OUT_DIR.slice(repo.length + 1)}/`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
