// Reading config.json: bundle.md "Container Format" ("This REQUIRED file MUST reside in the root of
// the bundle directory and MUST be named config.json"). Every way the file can fail to be a JSON
// object is one finding about the whole document, never an exception: missing, not a regular file
// (a FIFO would block the read), larger than ocirt reads, not UTF-8, not JSON, nested deeper than
// ocirt walks, or not an object. The size and depth caps keep a hostile file from costing memory,
// time or the stack of any later walker (schema, semantic checks, plan).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Finding } from './findings.ts';

export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
export const MAX_CONFIG_DEPTH = 128;

export type ReadResult = { ok: true; config: Record<string, unknown> } | { ok: false; finding: Finding };

const REFERENCE = { file: 'v1.3.0/bundle.md', section: 'Container Format' };

const problem = (message: string, fix?: string): ReadResult => ({
  ok: false,
  finding: { pointer: '', message, severity: 'error', reference: REFERENCE, ...(fix ? { fix } : {}) },
});

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The bytes of a regular file of at most MAX_CONFIG_BYTES, or a problem. */
function readBytes(path: string): Buffer | ReadResult {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return problem(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'put the container\'s config.json at the top of the bundle directory');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return problem(`${path} is not a regular file`, 'config.json must be a file, not a directory, FIFO or device');
    if (st.size > MAX_CONFIG_BYTES) return problem(`the file is ${mib(st.size)}, more than the ${mib(MAX_CONFIG_BYTES)} ocirt reads`);
    const buf = Buffer.alloc(Math.min(st.size, MAX_CONFIG_BYTES) + 1); // one byte more: a file that grew is caught
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_CONFIG_BYTES) return problem(`the file is larger than the ${mib(MAX_CONFIG_BYTES)} ocirt reads`);
    return buf.subarray(0, n);
  } catch (err) {
    return problem(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), stopping past `limit`. */
export function nestingDepth(text: string, limit = MAX_CONFIG_DEPTH): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** The parser's complaint on one short line (engines word it differently: V8 gives a position, JSC not). */
const complaint = (err: unknown): string => {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/^JSON Parse error: /, '').replace(/\s+/g, ' ');
  return msg.length > 160 ? msg.slice(0, 157) + '...' : msg;
};

/** Parses config.json's text: JSON, at most MAX_CONFIG_DEPTH deep, an object. */
export function parseConfigText(text: string): ReadResult {
  if (text.trim() === '') return problem('the file is empty', 'write the container\'s configuration as a JSON object, e.g. with `ocirt spec`');
  if (nestingDepth(text) > MAX_CONFIG_DEPTH) return problem(`arrays and objects nest more than ${MAX_CONFIG_DEPTH} levels deep, more than ocirt reads`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // SyntaxError, or RangeError from an engine whose parser recurses
    return problem(`not valid JSON: ${complaint(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return problem(`must be a JSON object, not ${kind}`);
  }
  return { ok: true, config: value as Record<string, unknown> };
}

/** Reads and parses `dir`/config.json (messages name it by its absolute path). */
export function readConfigFile(dir: string): ReadResult {
  const path = join(resolve(dir), 'config.json');
  const bytes = readBytes(path);
  if (!Buffer.isBuffer(bytes)) return bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // RFC 8259: JSON text is UTF-8
  } catch {
    return problem('not UTF-8 text (RFC 8259: JSON is UTF-8)');
  }
  return parseConfigText(text);
}
