// Builds bundles/<name>/rootfs for every sample bundle (a directory with a config.json) from the
// static probe. usage: bun scripts/build-bundles.ts [--probe PATH]   (default native/build/probe)
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRootfs } from '../src/bundles/rootfs.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

function probeArg(args: string[]): string {
  const [flag, value, ...rest] = args;
  if (flag === undefined) return join(repo, 'native/build/probe');
  if (flag.startsWith('--probe=') && value === undefined) return resolve(flag.slice('--probe='.length));
  if (flag === '--probe' && value !== undefined && rest.length === 0) return resolve(value);
  throw new Error(`usage: build-bundles.ts [--probe PATH] (got ${args.join(' ')})`);
}

function main(): void {
  const probe = probeArg(process.argv.slice(2));
  const bundles = join(repo, 'bundles');
  for (const entry of readdirSync(bundles, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(bundles, entry.name, 'config.json'))) continue;
    buildRootfs(join(bundles, entry.name, 'rootfs'), probe);
    console.log(`built bundles/${entry.name}/rootfs`);
  }
}

try {
  main();
} catch (err) {
  console.error(`build-bundles: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
