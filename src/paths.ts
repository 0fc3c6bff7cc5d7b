// Where ocirt's own files are. Under `bun build --compile` the code lives in a virtual filesystem,
// so the project is found from the executable (bin/ocirt); from source, from this file.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  const url = import.meta.url;
  if (url.startsWith('file:')) {
    const fromSource = resolve(dirname(fileURLToPath(url)), '..');
    if (existsSync(join(fromSource, 'package.json'))) return fromSource;
  }
  return resolve(dirname(process.execPath), '..');
}

const root = projectRoot();
export const paths = {
  root,
  executor: join(root, 'native/build/ocirt-executor'),
  probe: join(root, 'native/build/probe'),
  /** The CLI, as the autoremove watcher runs it: the compiled binary. */
  ocirt: join(root, 'bin/ocirt'),
};
