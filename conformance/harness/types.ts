// The suite's test API. A test is data plus an async function; the runner (runner.ts) gives it a
// fresh context — its own --root, temporary directory and ids — and turns what it throws into an
// outcome. Tests drive any runtime from outside, through its command line only: nothing here may
// import ocirt's src/.
import type { Edition } from '../catalogue/extract.ts';

export type { Edition };

/** What one runtime call did: the evidence a failure shows. */
export interface CommandRecord {
  argv: string[];
  code: number | null; // null: killed by the timeout
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export type Outcome =
  | { status: 'pass' }
  | { status: 'fail'; expected: string; actual: string; commands: CommandRecord[]; probe?: unknown }
  | { status: 'unsupported'; reason: string; commands: CommandRecord[] } // the runtime lacks the operation (runc has no `stop`)
  | { status: 'skip'; reason: string }; // the host lacks something

/** The state JSON a runtime prints; fields are optional because checking them is the tests' job. */
export interface StateJson {
  ociVersion?: string;
  id?: string;
  status?: string;
  pid?: number;
  bundle?: string;
  bundlePath?: string;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface CreateOptions {
  /** 'runc': create --bundle B ID (default); 'draft': create ID B (draft runtime.md "Create"). */
  grammar?: 'runc' | 'draft';
  pidFile?: string;
}

/** The runtime under test, as a command line (runc's grammar; the draft's where asked). */
export interface Driver {
  readonly path: string;
  readonly root: string;
  /** Any call; the container's stdout/stderr go to files (a pipe would be held open by the container). */
  run(args: string[]): Promise<CommandRecord>;
  create(id: string, bundle: string, o?: CreateOptions): Promise<CommandRecord>;
  start(id: string): Promise<CommandRecord>;
  /** `state ID`; `json` is undefined when stdout is not a JSON object. */
  state(id: string): Promise<CommandRecord & { json?: StateJson }>;
  kill(id: string, signal?: string, all?: boolean): Promise<CommandRecord>;
  delete(id: string, force?: boolean): Promise<CommandRecord>;
  /** draft "Stop"; throws Unsupported when the runtime has no such command. */
  stop(id: string): Promise<CommandRecord>;
  /** draft "Run": `run ID BUNDLE` in the draft grammar, `run --bundle B ID` otherwise; detached unless `foreground`. */
  runContainer(id: string, bundle: string, o?: { grammar?: 'runc' | 'draft'; foreground?: boolean }): Promise<CommandRecord>;
  /** Every call made so far in this test, for the evidence. */
  readonly log: CommandRecord[];
}

/** What the probe prints for `report` (native/probe): what the container sees from inside. */
export interface ProbeReport {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  groups: number[];
  cwd: string;
  env: string[];
  argv: string[];
  hostname: string;
  domainname: string;
  namespaces: Record<string, number | null>;
  mountinfo: Array<{ mount_point: string; options: string; optional: string; fstype: string; source: string; root: string }>;
  umask: number;
  [field: string]: unknown;
}

/** A bundle in the test's temporary directory whose rootfs is the probe; `config` is config.json. */
export interface Bundle {
  dir: string;
  config: Record<string, unknown> & { process?: { args: string[] } & Record<string, unknown>; root: { path: string } & Record<string, unknown> };
  /** Rewrites config.json from `config` (after a test changes it). */
  save(): void;
  /** The container's stdout and stderr: files the driver points the container's stdio at. */
  stdoutFile: string;
  stderrFile: string;
}

export interface TestContext {
  driver: Driver;
  edition: Edition;
  tmp: string; // a fresh temporary directory, removed after the test
  /**
   * False when the runtime was told to make no cgroups (crun with --cgroup-manager=disabled on a
   * hybrid host, runtime.ts): a test of what it does to its container's cgroup then requires this.
   */
  runtimeManagesCgroups: boolean;
  /** A unique container id, registered for cleanup. */
  id(): string;
  /** A bundle of the test's edition (ociVersion 1.3.0 or 0.6.0-dev) with probe `args` and optional edits. */
  bundle(args: string[], edit?: (config: Bundle['config']) => void): Bundle;
  /** The last JSON object the probe printed to the bundle's stdout file, waiting (bounded) for it. */
  probeReport(b: Bundle): Promise<ProbeReport>;
  /** Waits (bounded) until the file holds `text`; returns the file's text. */
  waitForOutput(b: Bundle, text: string): Promise<string>;
  /** Polls `state` (bounded) until `status`; returns the last status seen (or the error). */
  waitForStatus(id: string, status: string): Promise<string>;
  /** The /proc/<pid>/ns/<type> inode of a host pid, or undefined. */
  nsInode(pid: number | 'self', type: string): number | undefined;
  /** Fails the test with what was expected and what was seen; the driver's log is the evidence. */
  expect(ok: boolean, expected: string, actual?: unknown): asserts ok;
  /** Skips the test with the reason printed, when the host lacks something. */
  requires(ok: boolean, reason: string): asserts ok;
}

export interface SuiteTest {
  /** Catalogue ids the test checks; the title begins with them. */
  ids: string[];
  title: string;
  /** The report's group (JUnit testsuite); when absent, the runner derives it from the first id (runner.ts areaOf). */
  area?: string;
  /** The editions whose bundles the test runs with (draft bundles: ociVersion 0.6.0-dev). */
  editions: Edition[];
  run(ctx: TestContext): Promise<void>;
}

/** One test × edition, as the runner reports it (and as --runtime-tools folds a TAP assertion in). */
export interface TestResult {
  /** The group it is reported in: the spec area for suite tests, `runtime-tools/<program>` for folded ones. */
  area: string;
  /** The test's ids and title; `references` when the source gave them (runtime-tools' spec URLs). */
  test: { ids: string[]; title: string; references?: string[] };
  edition: Edition;
  outcome: Outcome;
  ms: number;
}

/** Thrown by ctx.expect, ctx.requires and driver.stop; the runner maps them to outcomes. */
export class Failure extends Error {
  constructor(readonly expected: string, readonly actual: string, readonly probe?: unknown) {
    super(`expected ${expected}; got ${actual}`);
  }
}
export class Skip extends Error {}
export class Unsupported extends Error {}

/** Declares a suite test (one file per spec area exports an array of these). */
export const test = (ids: string[], title: string, editions: Edition[], run: SuiteTest['run']): SuiteTest => ({ ids, title, editions, run });
