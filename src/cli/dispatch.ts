// One short handler per command: call the lifecycle, print, return the exit code.
// Only cli/ knows exit codes and output formats (STYLE.md).
import type { Command } from './grammar.ts';
import type { Runtime } from '../lifecycle/runtime.ts';

type Handler<C> = (rt: Runtime, c: C) => Promise<number>;
type ByName<N extends Command['name']> = Extract<Command, { name: N }>;

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : text + '\n');

const handlers: { [N in Command['name']]?: Handler<ByName<N>> } = {
  async create(rt, c) {
    const { create } = await import('../lifecycle/create.ts');
    if (c.name === 'run') return (await import('../lifecycle/run.ts')).run(rt, { ...c, detach: c.detach });
    await create(rt, { id: c.id, bundle: c.bundle, pidFile: c.pidFile, noPivot: c.noPivot, foreground: false });
    return 0;
  },
  async start(rt, c) {
    await (await import('../lifecycle/start.ts')).start(rt, c.id);
    return 0;
  },
  async state(rt, c) {
    print(JSON.stringify((await import('../lifecycle/query.ts')).queryState(rt, c.id), null, 2));
    return 0;
  },
  async stop(rt, c) {
    await (await import('../lifecycle/stop.ts')).stop(rt, c.id);
    return 0;
  },
  async kill(rt, c) {
    await (await import('../lifecycle/kill.ts')).kill(rt, c.id, c.signal, c.all);
    return 0;
  },
  async delete(rt, c) {
    await (await import('../lifecycle/delete.ts')).deleteContainer(rt, c.id, c.force);
    return 0;
  },
  async list(rt, c) {
    const all = (await import('../lifecycle/list.ts')).listContainers(rt);
    if (c.quiet) all.forEach((s) => print(s.id));
    else if (c.format === 'json') print(JSON.stringify(all));
    else print(formatTable(all.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner])));
    return 0;
  },
};
handlers.run = handlers.create as Handler<ByName<'run'>>;

function formatTable(rows: string[][]): string {
  const all = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n');
}

export async function dispatch(rt: Runtime, c: Command): Promise<number | undefined> {
  const h = handlers[c.name] as Handler<Command> | undefined;
  return h ? h(rt, c) : undefined;
}
