// A test's world: its own temporary directory (the `tmp` package), --root inside it, unique ids
// and bundles, and a cleanup that leaves nothing behind even when the test failed, timed out or
// the runtime hung: `delete --force` of every container, then cleanup.ts's sweep of cgroups, pids,
// mounts and the directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import tmp from 'tmp';
import { makeBundle, type BundleSource } from './bundle.ts';
import { CGROUP_PARENT, bootTicks, removeLeftovers } from './cleanup.ts';
import { RuntimeDriver } from './driver.ts';
import type { RuntimeCommand } from './runtime.ts';
import { Failure, Skip, type Bundle, type Edition, type ProbeReport, type TestContext } from './types.ts';
import { cut, lastJsonObject, poll, show } from './wait.ts';

export interface ContextOptions {
  runtime: RuntimeCommand;
  edition: Edition;
  bundles: BundleSource;
  /** Per runtime call (default exec.ts's 10 s). */
  callTimeoutMs?: number;
  /** How long waitFor*, probeReport poll (default 5 s). */
  waitMs?: number;
}

let contexts = 0;

/** The spec's names of namespaces (config-linux.md) to /proc/<pid>/ns/ file names. */
const NS_FILE: Record<string, string> = { mount: 'mnt', network: 'net' };

export class SuiteContext implements TestContext {
  readonly tmp: string;
  readonly driver: RuntimeDriver;
  readonly edition: Edition;
  readonly runtimeManagesCgroups: boolean;
  /** Every id and cgroup of this test starts with it: unique across parallel tests and runs. */
  private readonly token: string;
  private readonly ids: string[] = [];
  private readonly since = bootTicks();
  private made = 0;

  constructor(private readonly o: ContextOptions) {
    this.token = `oc${process.pid.toString(36)}x${(++contexts).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.tmp = tmp.dirSync({ prefix: 'oci-conformance-' }).name;
    this.edition = o.edition;
    this.runtimeManagesCgroups = o.runtime.managesCgroups ?? true;
    this.driver = new RuntimeDriver({ cmd: o.runtime, root: join(this.tmp, 'root'), tmp: this.tmp, timeoutMs: o.callTimeoutMs });
  }

  id(): string {
    const id = `${this.token}-${++this.made}`;
    this.ids.push(id);
    return id;
  }

  bundle(args: string[], edit?: (config: Bundle['config']) => void): Bundle {
    const n = ++this.made;
    const cgroupsPath = `/${CGROUP_PARENT}/${this.token}-b${n}`;
    return makeBundle(this.o.bundles, { dir: join(this.tmp, `bundle-${n}`), edition: this.edition, args, cgroupsPath, edit });
  }

  async probeReport(b: Bundle): Promise<ProbeReport> {
    const found = await poll(this.waitMs, () => lastJsonObject(readText(b.stdoutFile)));
    if (found !== undefined) return found as ProbeReport;
    throw new Failure('a JSON report from the probe on the container\'s stdout', `none within ${this.waitMs} ms; stdout: ${show(readText(b.stdoutFile))}; stderr: ${show(readText(b.stderrFile))}`);
  }

  async waitForOutput(b: Bundle, text: string): Promise<string> {
    const found = await poll(this.waitMs, () => (readText(b.stdoutFile).includes(text) ? readText(b.stdoutFile) : undefined));
    if (found !== undefined) return found;
    throw new Failure(`${show(text)} on the container's stdout`, `none within ${this.waitMs} ms; stdout: ${show(readText(b.stdoutFile))}; stderr: ${show(readText(b.stderrFile))}`);
  }

  /** Polls `state`; only the last poll stays in the log, so the evidence is not 200 identical calls. */
  async waitForStatus(id: string, status: string): Promise<string> {
    const from = this.driver.log.length;
    let last = '';
    await poll(this.waitMs, async () => {
      const r = await this.driver.state(id);
      last = r.json?.status ?? `error (exit ${r.code}): ${r.stderr.trim()}`;
      return last === status ? last : undefined;
    });
    this.driver.log.splice(from, Math.max(0, this.driver.log.length - from - 1));
    return last;
  }

  nsInode(pid: number | 'self', type: string): number | undefined {
    try {
      return statSync(`/proc/${pid}/ns/${NS_FILE[type] ?? type}`).ino;
    } catch {
      return undefined;
    }
  }

  expect(ok: boolean, expected: string, actual?: unknown): asserts ok {
    if (!ok) throw new Failure(expected, actual === undefined ? 'otherwise (see the commands)' : typeof actual === 'string' ? cut(actual) : show(actual));
  }

  requires(ok: boolean, reason: string): asserts ok {
    if (!ok) throw new Skip(reason);
  }

  /** Ends the test: no more runtime calls from it, then everything it made is removed. Returns problems. */
  async cleanup(): Promise<string[]> {
    this.driver.close();
    const problems: string[] = [];
    let pids: number[];
    try {
      pids = await this.deleteAll();
    } catch (e) {
      problems.push(`delete --force: ${(e as Error).message}`);
      pids = pidsIn(this.driver.log, this.tmp);
    }
    return [...problems, ...(await removeLeftovers({ cgroupPrefix: `${this.token}-`, pids, since: this.since, tmp: this.tmp }))];
  }

  /** `state` (for the pid) and `delete --force` of every container in this test's --root; returns the pids seen. */
  private async deleteAll(): Promise<number[]> {
    const sweeper = new RuntimeDriver({ cmd: this.o.runtime, root: this.driver.root, tmp: this.tmp, timeoutMs: this.o.callTimeoutMs });
    const ids = [...new Set([...this.ids, ...entries(this.driver.root)])];
    const states = await Promise.all(ids.map((id) => sweeper.state(id)));
    await Promise.all(ids.map((id) => sweeper.delete(id, true)));
    return pidsIn([...this.driver.log, ...states], this.tmp);
  }

  private get waitMs(): number {
    return this.o.waitMs ?? 5000;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Container directories in a runtime's --root (a test may have used an id not from id()). */
function entries(root: string): string[] {
  try {
    return readdirSync(root).filter((n) => /^[A-Za-z0-9_+.-]+$/.test(n));
  } catch {
    return [];
  }
}

/** Pids a runtime reported: in `state` output and in --pid-file files (relative to the runtime's cwd, `cwd`). */
function pidsIn(log: Array<{ argv: string[]; stdout: string }>, cwd: string): number[] {
  return log.flatMap((r) => {
    const fromState = [...r.stdout.matchAll(/"pid"\s*:\s*(\d+)/g)].map((m) => Number(m[1]));
    const i = r.argv.indexOf('--pid-file');
    const fromFile = i >= 0 && r.argv[i + 1] !== undefined ? Number(readText(resolve(cwd, r.argv[i + 1]!)).trim()) : NaN;
    return Number.isInteger(fromFile) && fromFile > 0 ? [...fromState, fromFile] : fromState;
  });
}
