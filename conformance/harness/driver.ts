// The runtime under test, driven through its command line only (runc's grammar; the draft's where
// a test asks). Every call is a child process with a deadline and a minimal environment (engines
// call runtimes without PATH, ENGINES.md), recorded in `log` as the evidence a failure shows.
//
// Output never goes through pipes (see exec.ts). For `create` and `run` the runtime's fds 1 and 2
// are the bundle's stdout and stderr files, which the container inherits; the runtime's own
// messages land there too and are read back into the record. Other calls write to per-call files
// in the test's scratch directory.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_TIMEOUT_MS, execute } from './exec.ts';
import { argvOf, type RuntimeCommand } from './runtime.ts';
import { Unsupported, type CommandRecord, type CreateOptions, type Driver, type StateJson } from './types.ts';

export interface DriverOptions {
  cmd: RuntimeCommand;
  root: string;
  /** The test's directory: the runtime's working directory; per-call output files go in calls/. */
  tmp: string;
  timeoutMs?: number;
}

/** The files a bundle's container writes to: inside the bundle, so a bundle path is enough to find them. */
export const bundleIo = (dir: string) => ({ stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr') });

/** How runc, crun and ocirt say they lack a command or a grammar. */
const UNSUPPORTED_ANSWER = /No help topic for|unknown command|unrecognized command|invalid command|Incorrect Usage|requires (exactly|a maximum of) \d+ arg|accepts (at most )?\d+ arg|too many arguments/i;

export class RuntimeDriver implements Driver {
  readonly log: CommandRecord[] = [];
  private readonly running = new Set<ChildProcess>();
  private calls = 0;
  private closed = false;
  private readonly scratch: string;

  constructor(private readonly o: DriverOptions) {
    this.scratch = join(o.tmp, 'calls');
    mkdirSync(this.scratch, { recursive: true });
  }

  get path(): string {
    return this.o.cmd.path;
  }

  get root(): string {
    return this.o.root;
  }

  run(args: string[]): Promise<CommandRecord> {
    const bundle = valueOf(args, ['--bundle', '-b']);
    return this.call(args, bundle === undefined ? undefined : bundle);
  }

  async create(id: string, bundle: string, o: CreateOptions = {}): Promise<CommandRecord> {
    const pid = o.pidFile === undefined ? [] : ['--pid-file', o.pidFile];
    const args = o.grammar === 'draft' ? ['create', ...pid, id, bundle] : ['create', '--bundle', bundle, ...pid, id];
    const r = await this.call(args, bundle);
    if (o.grammar === 'draft') refuseUnsupported(r, 'the draft grammar `create <id> <bundle>`');
    return r;
  }

  start(id: string): Promise<CommandRecord> {
    return this.call(['start', id]);
  }

  async state(id: string): Promise<CommandRecord & { json?: StateJson }> {
    const r = await this.call(['state', id]);
    return { ...r, json: jsonObject(r.stdout) };
  }

  kill(id: string, signal?: string, all?: boolean): Promise<CommandRecord> {
    return this.call(['kill', ...(all ? ['--all'] : []), id, ...(signal === undefined ? [] : [signal])]);
  }

  delete(id: string, force?: boolean): Promise<CommandRecord> {
    return this.call(['delete', ...(force ? ['--force'] : []), id]);
  }

  async stop(id: string): Promise<CommandRecord> {
    const r = await this.call(['stop', id]);
    refuseUnsupported(r, 'the draft operation `stop`');
    return r;
  }

  async runContainer(id: string, bundle: string, o: { grammar?: 'runc' | 'draft'; foreground?: boolean } = {}): Promise<CommandRecord> {
    const detach = o.foreground ? [] : ['--detach'];
    const args = o.grammar === 'draft' ? ['run', ...detach, id, bundle] : ['run', ...detach, '--bundle', bundle, id];
    const r = await this.call(args, bundle);
    if (o.grammar === 'draft') refuseUnsupported(r, 'the draft grammar `run <id> <bundle>`');
    return r;
  }

  /** The test is over: kills calls still in flight and refuses new ones (a timed-out test may go on). */
  close(): void {
    this.closed = true;
    for (const child of this.running) child.kill('SIGKILL');
  }

  /** One runtime call; with `bundle`, its output goes to the bundle's files (see ioFor). */
  private async call(args: string[], bundle?: string): Promise<CommandRecord> {
    if (this.closed) throw new Error('the test is over: no further runtime calls');
    const argv = argvOf(this.o.cmd, this.o.root, args);
    const io = this.ioFor(++this.calls, bundle);
    const r = await execute(argv, { ...io, timeoutMs: this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS, cwd: this.o.tmp, running: this.running });
    this.log.push(r);
    return r;
  }

  /**
   * The bundle's files when the bundle is a directory of this test (a test may hand the runtime a
   * missing or foreign path to see it fail: nothing is written there), else per-call files.
   */
  private ioFor(n: number, bundle: string | undefined): { stdout: string; stderr: string } {
    const dir = bundle === undefined ? undefined : resolve(this.o.tmp, bundle);
    if (dir !== undefined && dir.startsWith(`${this.o.tmp}/`) && statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return bundleIo(dir);
    return { stdout: join(this.scratch, `${n}.out`), stderr: join(this.scratch, `${n}.err`) };
  }
}

function refuseUnsupported(r: CommandRecord, what: string): void {
  if (r.code === 0 || r.timedOut) return;
  const line = r.stderr.split('\n').find((l) => UNSUPPORTED_ANSWER.test(l));
  if (line !== undefined) throw new Unsupported(`${what}: ${line.trim()}`);
}

function valueOf(args: string[], flags: string[]): string | undefined {
  const i = args.findIndex((a) => flags.includes(a));
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => flags.some((f) => a.startsWith(`${f}=`)));
  return eq?.slice(eq.indexOf('=') + 1);
}

function jsonObject(text: string): StateJson | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as StateJson) : undefined;
  } catch {
    return undefined;
  }
}
