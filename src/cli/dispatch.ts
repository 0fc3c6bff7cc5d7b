// One short case per command: call the lifecycle, print, return the exit code.
// Only cli/ knows exit codes and output formats (STYLE.md). Lifecycle modules load lazily:
// every ocirt call pays its start-up.
import { resolve } from 'node:path';
import type { Runtime } from '../lifecycle/runtime.ts';
import type { StateJson } from '../lifecycle/query.ts';
import type { Command } from './grammar.ts';
import { escapeControls } from './escape.ts';
import { printLines, printOut as print } from './output.ts';
import type { Validation } from '../spec/validate.ts';

type CreateCommand = Extract<Command, { name: 'create' | 'run' }>;

async function createOrRun(rt: Runtime, c: CreateCommand): Promise<number> {
  const consoleSocket = c.consoleSocket === undefined ? undefined : resolve(c.consoleSocket);
  const o = { id: c.id, bundle: c.bundle, pidFile: c.pidFile, noPivot: c.noPivot, noNewKeyring: c.noNewKeyring, preserveFds: c.preserveFds, consoleSocket };
  if (c.name === 'run') return (await import('../lifecycle/run.ts')).run(rt, { ...o, detach: c.detach });
  await (await import('../lifecycle/create.ts')).create(rt, { ...o, foreground: false });
  return 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const EDITION_NAMES = { v1: 'v1.3.0', draft: 'the create/start draft' } as const;

/** `ocirt validate`: every finding on stdout (text: one line each and a summary; json: one document). */
async function validate(c: Extract<Command, { name: 'validate' }>): Promise<number> {
  const { validateBundle } = await import('../spec/validate.ts');
  const { findingLine } = await import('../spec/report.ts');
  const v: Validation = validateBundle(c.bundle ?? '.');
  const errors = v.findings.filter((f) => f.severity === 'error').length;
  const valid = errors === 0;
  if (c.format === 'json') print(JSON.stringify({ valid, edition: v.edition ?? null, findings: v.findings }, null, 2));
  else {
    const verdict = valid ? `valid for ${EDITION_NAMES[v.edition!]}` : 'invalid';
    const counts = `${plural(errors, 'error')}, ${plural(v.findings.length - errors, 'warning')}`;
    printLines([...v.findings.map(findingLine), `${c.bundle ?? '.'}: ${verdict} (${counts})`]);
  }
  return valid ? 0 : 1;
}

/** `list`'s rows, one line each: cells are escaped before they are measured (a bundle path may hold a newline). */
function table(states: StateJson[]): string[] {
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner].map(escapeControls))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd());
}

/** `ps`: json is the pid array containerd reads; table is ps(1)'s own rows, escaped. */
async function ps(rt: Runtime, c: Extract<Command, { name: 'ps' }>): Promise<number> {
  const { containerPids, psTable } = await import('../lifecycle/ps.ts');
  if (c.format === 'json') print(JSON.stringify(containerPids(rt, c.id)));
  else printLines(psTable(rt, c.id, c.psArgs));
  return 0;
}

export async function dispatch(rt: Runtime, c: Command): Promise<number | undefined> {
  switch (c.name) {
    case 'create':
    case 'run':
      return createOrRun(rt, c);
    case 'start':
      await (await import('../lifecycle/start.ts')).start(rt, c.id);
      return 0;
    case 'state':
      {
        const q = await import('../lifecycle/query.ts');
        print(q.stateDocument(q.queryState(rt, c.id)));
      }
      return 0;
    case 'stop':
      await (await import('../lifecycle/stop.ts')).stop(rt, c.id);
      return 0;
    case 'kill':
      await (await import('../lifecycle/kill.ts')).kill(rt, c.id, c.signal, c.all);
      return 0;
    case 'delete':
      await (await import('../lifecycle/delete.ts')).deleteContainer(rt, c.id, c.force, c.ifInit);
      return 0;
    case 'list': {
      const all = (await import('../lifecycle/list.ts')).listContainers(rt);
      print(c.quiet ? all.map((s) => escapeControls(s.id)).join('\n') : c.format === 'json' ? JSON.stringify(all) : table(all).join('\n'));
      return 0;
    }
    case 'pause':
    case 'resume':
      await (await import('../lifecycle/pause.ts'))[c.name](rt, c.id);
      return 0;
    case 'ps':
      return ps(rt, c);
    case 'update':
      await (await import('../lifecycle/update.ts')).update(rt, c.id, c.resources, c.values);
      return 0;
    case 'events':
      await (await import('../lifecycle/events.ts')).events(rt, c.id, { stats: c.stats, intervalMs: c.intervalMs }, (line) => print(line));
      return 0;
    case 'exec':
      return (await import('../lifecycle/exec.ts')).exec(rt, { ...c, consoleSocket: c.consoleSocket === undefined ? undefined : resolve(c.consoleSocket) });
    case 'features':
      print(JSON.stringify((await import('../lifecycle/features.ts')).features(), null, 2));
      return 0;
    case 'validate':
      return validate(c);
    case 'spec': {
      const { goArch, writeSpec } = await import('../spec/template.ts');
      writeSpec(c.bundle, { edition: c.edition, rootless: c.rootless, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, arch: goArch() });
      return 0;
    }
    default:
      return undefined;
  }
}
