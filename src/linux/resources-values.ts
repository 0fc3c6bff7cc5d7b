// Shape checks shared by the resource planners: each throws a spec error naming the field, so a
// config the schema let through (or an `ocirt update` value) never reaches the kernel malformed.
import { specError } from '../errors.ts';
import type { ResourceWrite, Site } from './cgroup-resources.ts';

export const INT64_MAX = 2 ** 63 - 1;
export const UINT32_MAX = 2 ** 32 - 1;

/** An integer in [min, max]; JSON numbers beyond 2^53 are already rounded when parsed, as in every JS runtime. */
export function int(v: unknown, field: string, min: number, max = INT64_MAX): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw specError(`${field}: ${show(v)} is not an integer`);
  if (v < min || v > max) throw specError(`${field}: ${v} is outside ${min}..${max === INT64_MAX ? '2^63-1' : max}`);
  return v;
}

/** config-linux.md "Memory": "the limit in bytes, or -1 for unlimited memory". */
export const bytesOrUnlimited = (v: unknown, field: string) => int(v, field, -1, INT64_MAX);

export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw specError(`${field}: ${show(v)} is not a boolean`);
  return v;
}

export function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw specError(`${field}: ${show(v)} is not a string`);
  return v;
}

export function object(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw specError(`${field}: must be an object`);
  return v as Record<string, unknown>;
}

export function array(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw specError(`${field}: must be an array`);
  return v;
}

/** A cgroup file takes one record per write, so no value may carry a line break or be empty. */
export function word(v: unknown, field: string): string {
  const s = str(v, field);
  if (s === '' || /\s/.test(s)) throw specError(`${field}: ${show(s)} must be one word without spaces`);
  return s;
}

/** "major:minor" of a block device entry (config-linux.md "Block IO": int64, REQUIRED). */
export function deviceNumber(d: unknown, field: string): string {
  const o = object(d, field);
  return `${int(o.major, `${field}.major`, 0, UINT32_MAX)}:${int(o.minor, `${field}.minor`, 0, UINT32_MAX)}`;
}

/** Present and not null: a field the config asks for. */
export const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A write into a controller's directory. */
export function at(site: Site, file: string, value: string | number, field: string, extra: Partial<ResourceWrite> = {}): ResourceWrite {
  return { dir: site.dir, file, value: String(value), field, ...extra };
}

/** config-linux.md "Unified": a v1 value with no v2 conversion "MUST generate an error". */
export const noV2 = (field: string, why: string) => specError(`${field}: has no cgroup v2 equivalent (${why})`);
