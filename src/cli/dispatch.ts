// One short case per command: call the lifecycle, print, return the exit code.
// Only cli/ knows exit codes and output formats (STYLE.md). Lifecycle modules load lazily:
// every ocirt call pays its start-up.
import { usageError } from '../errors.ts';
import type { Runtime } from '../lifecycle/runtime.ts';
import type { StateJson } from '../lifecycle/query.ts';
import type { Command } from './grammar.ts';
import { printOut as print } from './output.ts';


type CreateCommand = Extract<Command, { name: 'create' | 'run' }>;

async function createOrRun(rt: Runtime, c: CreateCommand): Promise<number> {
  if (c.consoleSocket) throw usageError(`${c.name}: --console-socket: process.terminal is not supported by ocirt yet`);
  if (c.preserveFds > 0) throw usageError(`${c.name}: --preserve-fds: not supported by ocirt yet`);
  const o = { id: c.id, bundle: c.bundle, pidFile: c.pidFile, noPivot: c.noPivot };
  if (c.name === 'run') return (await import('../lifecycle/run.ts')).run(rt, { ...o, detach: c.detach });
  await (await import('../lifecycle/create.ts')).create(rt, { ...o, foreground: false });
  return 0;
}

function table(states: StateJson[]): string {
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n');
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
      print(JSON.stringify((await import('../lifecycle/query.ts')).queryState(rt, c.id), null, 2));
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
      print(c.quiet ? all.map((s) => s.id).join('\n') : c.format === 'json' ? JSON.stringify(all) : table(all));
      return 0;
    }
    default:
      return undefined;
  }
}
