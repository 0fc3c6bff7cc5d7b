// Where the suite's own files are. Under `bun build --compile` the code lives in a virtual
// filesystem, so the project is found from the executable (bin/oci-conformance); from source,
// from this file. (The same rule as ocirt's, written again: the suite imports nothing of ocirt.)
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  const url = import.meta.url;
  if (url.startsWith('file:')) {
    const fromSource = resolve(dirname(fileURLToPath(url)), '../..');
    if (existsSync(join(fromSource, 'package.json'))) return fromSource;
  }
  return resolve(dirname(process.execPath), '..');
}

export const PROJECT = projectRoot();
/** The sample bundles: committed config.json files and built rootfs directories (bundles/README.md). */
export const SAMPLE_BUNDLES = join(PROJECT, 'bundles');
