// Reading a bundle (bundle.md): config.json at its top, validated (spec/validate.ts) before
// anything is made, root.path a directory.
import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../spec/config.ts';
import type { Edition } from '../spec/edition.ts';
import { errorsIn } from '../spec/findings.ts';
import { readConfigFile } from '../spec/read-config.ts';
import { InvalidConfig } from '../spec/report.ts';
import { validateBundle } from '../spec/validate.ts';

export interface Bundle {
  dir: string; // absolute
  config: Config;
  edition: Edition;
  rootfs: string; // absolute
}

/** config.json as a JSON object, unvalidated (draft `start` re-reads only its `process`). */
export function readConfig(dir: string): Config {
  const read = readConfigFile(dir);
  if (!read.ok) throw new InvalidConfig([read.finding]);
  return read.config as unknown as Config;
}

/** The bundle, or InvalidConfig with every finding when the config has errors (warnings pass). */
export function loadBundle(bundleArg: string | undefined): Bundle {
  const dir = resolve(bundleArg ?? '.');
  const v = validateBundle(dir, 'create');
  if (!v.config || !v.edition || errorsIn(v.findings).length > 0) throw new InvalidConfig(v.findings);
  const config = v.config as unknown as Config;
  // The checks made sure root.path names a directory (config.md "Root").
  const rootfs = isAbsolute(config.root.path) ? config.root.path : resolve(dir, config.root.path);
  return { dir, config, edition: v.edition, rootfs };
}
