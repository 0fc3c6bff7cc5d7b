// Reading a bundle (bundle.md): config.json at its top, root.path a directory.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { specError } from '../errors.ts';
import type { Config } from '../spec/config.ts';
import { editionOf, type Edition } from '../spec/edition.ts';
import { refuseUnsupported } from '../spec/unsupported.ts';
import { checkAnnotations } from '../spec/annotations.ts';

export interface Bundle {
  dir: string; // absolute
  config: Config;
  edition: Edition;
  rootfs: string; // absolute
}

export function readConfig(dir: string): Config {
  let text: string;
  try {
    text = readFileSync(join(dir, 'config.json'), 'utf8');
  } catch (err) {
    throw specError(`config.json: cannot read ${join(dir, 'config.json')}: ${(err as NodeJS.ErrnoException).code ?? err}`, err);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw specError(`config.json: not valid JSON: ${(err as Error).message}`, err);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw specError('config.json: must be a JSON object');
  return config as Config;
}

function rootfsOf(dir: string, config: Config): string {
  const path = config.root?.path;
  if (typeof path !== 'string' || path === '') throw specError('root.path: required');
  const rootfs = isAbsolute(path) ? path : resolve(dir, path);
  let isDir = false;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch {
    /* reported below */
  }
  // config.md "Root": "A directory MUST exist at the path declared by the field."
  if (!isDir) throw specError(`root.path: ${rootfs} is not a directory`);
  return rootfs;
}

export function loadBundle(bundleArg: string | undefined): Bundle {
  const dir = resolve(bundleArg ?? '.');
  const config = readConfig(dir);
  const edition = editionOf(config.ociVersion);
  refuseUnsupported(config);
  checkAnnotations(config.annotations);
  return { dir, config, edition, rootfs: rootfsOf(dir, config) };
}
