// ocirt's command line: runc's grammar (what podman, conmon and containerd pass; ENGINES.md) and the
// create/start draft's positional `create <id> <bundle>`. Pure: argv in, Invocation out, no I/O.
//
// Like runc (urfave/cli over Go's flag package): global flags come before the command, a command's
// flags after its name and before its positionals; the first positional or `--` ends the flags.
// `-x` and `--x` are the same flag, values go as `--flag value` or `--flag=value`, booleans take
// only `--flag=true|false`, and a repeated flag keeps its last value (`--env` collects them all).
import { messageOf, usageError } from '../errors.ts';
import { parseSignal } from './signals.ts';

export interface GlobalOptions {
  root?: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
  rootless?: string;
}

export type Command =
  | { name: 'create' | 'run'; id: string; bundle?: string; grammar: 'runc' | 'draft'; pidFile?: string; consoleSocket?: string; noPivot: boolean; noNewKeyring: boolean; preserveFds: number; detach: boolean }
  | { name: 'start' | 'state' | 'stop'; id: string }
  | { name: 'delete'; id: string; force: boolean; ifInit?: string }
  | { name: 'kill'; id: string; signal: number; all: boolean }
  | { name: 'list'; format: 'table' | 'json'; quiet: boolean }
  | { name: 'ps'; id: string; format: 'table' | 'json'; psArgs: string[] }
  | { name: 'pause' | 'resume'; id: string }
  | { name: 'update'; id: string; resources?: string; values: UpdateValues }
  | { name: 'events'; id: string; stats: boolean; intervalMs: number }
  | {
      name: 'exec'; id: string; process?: string; detach: boolean; pidFile?: string; consoleSocket?: string; tty: boolean; cwd?: string; env: string[]; preserveFds: number; args: string[];
      user?: string; additionalGids: number[]; caps: string[]; noNewPrivs?: boolean; apparmor?: string; processLabel?: string;
    }
  | { name: 'features' }
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'spec'; bundle?: string; rootless: boolean; edition: 'draft' | 'v1' }
  | { name: 'validate'; bundle?: string; format: 'text' | 'json' };

/** `update`'s individual flags, as given (runc's names); each is applied only when present. */
export interface UpdateValues {
  blkioWeight?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuBurst?: number;
  cpuShares?: number;
  cpuRtPeriod?: number;
  cpuRtRuntime?: number;
  cpuIdle?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  memory?: number;
  memoryReservation?: number;
  memorySwap?: number;
  pidsLimit?: number;
}

export interface Invocation {
  globals: GlobalOptions;
  command: Command;
}

export const USAGE = `usage: ocirt [global flags] <command> [flags] [arguments]

commands:
  create [flags] <id>            create a container from --bundle (default: the current directory)
  create [flags] <id> <bundle>   the same, in the draft's grammar
  start <id>                     run the user process of a created container
  run [flags] [--detach] <id> [<bundle>]
                                 create and start
  state <id>                     print the container's state as JSON
  kill [--all] <id> [<signal>]   send a signal (default SIGTERM)
  stop <id>                      stop a container (draft)
  delete [--force] <id>          delete a container
  list [--format table|json] [--quiet]
  ps [--format table|json] <id> [<ps-arg>...]
                                 list the container's processes
  pause <id>                     freeze every process of the container
  resume <id>                    thaw a paused container
  update [flags] <id>            change the cgroup limits of a container
  events [--stats] [--interval D] <id>
                                 print resource statistics as JSON (every D, default 5s)
  exec [flags] <id> [<arg>...]   run a process in a running container (or --process FILE)
  features                       print the features this runtime supports, as JSON
  spec [--bundle DIR] [--rootless] [--edition draft|v1]
                                 write a starting config.json
  validate [--format text|json] [<bundle>]
                                 check a bundle against the spec
  help                           print this text

create and run flags: --bundle|-b DIR, --pid-file FILE, --console-socket SOCKET, --no-pivot,
  --no-new-keyring, --preserve-fds N
update flags: --resources|-r FILE (- for stdin: LinuxResources JSON; then no other flag), --memory,
  --memory-reservation, --memory-swap (bytes, k/m/g suffixes, -1 for unlimited), --cpu-shares,
  --cpu-quota, --cpu-period, --cpu-burst, --cpu-rt-period, --cpu-rt-runtime, --cpu-idle,
  --cpuset-cpus, --cpuset-mems, --pids-limit, --blkio-weight
exec flags: --process|-p FILE, --detach|-d, --pid-file FILE, --console-socket SOCKET, --tty|-t,
  --cwd DIR, --env|-e KEY=VALUE, --user|-u UID[:GID], --additional-gids|-g GID, --cap|-c CAP (these
  three repeatable), --no-new-privs, --apparmor PROFILE, --process-label LABEL, --preserve-fds N

global flags:
  --root DIR              where container state lives (default /run/ocirt, or $XDG_RUNTIME_DIR/ocirt)
  --log FILE              append errors to FILE
  --log-format text|json  the log's format (default text)
  --debug                 log the cause of every error
  --systemd-cgroup        manage cgroups through systemd
  --rootless auto|true|false
  --help, -h              print this text
  --version, -v           print the version`;

// ---- flag tables -------------------------------------------------------------------------------

/** bool: no value of its own; string, int, choice: one value; list: repeatable; optional: may take one. */
type Kind = 'bool' | 'string' | 'int' | 'choice' | 'list' | 'optional';

interface FlagSpec {
  readonly names: readonly string[]; // the long name first, then aliases, all without dashes
  readonly key: string; // camelCase of the long name
  readonly kind: Kind;
  readonly choices?: readonly string[]; // for choice and optional; the first is the default
}

type Value = string | number | boolean | string[];
type Flags = ReadonlyMap<string, Value>;

/** `flag('pid-file', 'string')`, `flag('bundle|b', 'string')`. */
function flag(names: string, kind: Kind, choices?: readonly string[]): FlagSpec {
  const list = names.split('|');
  const key = list[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return { names: list, key, kind, ...(choices ? { choices } : {}) };
}

const TEXT_JSON = ['text', 'json'] as const;
const TABLE_JSON = ['table', 'json'] as const;
const EDITIONS = ['v1', 'draft'] as const;

const HELP = flag('help|h', 'bool');

const GLOBAL_FLAGS: readonly FlagSpec[] = [
  flag('root', 'string'),
  flag('log', 'string'),
  flag('log-format', 'choice', TEXT_JSON),
  flag('debug', 'bool'),
  flag('systemd-cgroup', 'bool'),
  flag('rootless', 'optional', ['auto', 'true', 'false']),
  HELP,
  flag('version|v', 'bool'),
];

const CREATE_FLAGS: readonly FlagSpec[] = [
  flag('bundle|b', 'string'),
  flag('pid-file', 'string'),
  flag('console-socket', 'string'),
  flag('no-pivot', 'bool'),
  flag('no-new-keyring', 'bool'),
  flag('preserve-fds', 'int'),
];

const EXEC_FLAGS: readonly FlagSpec[] = [
  flag('process|p', 'string'),
  flag('detach|d', 'bool'),
  flag('pid-file', 'string'),
  flag('console-socket', 'string'),
  flag('tty|t', 'bool'),
  flag('cwd', 'string'),
  flag('env|e', 'list'),
  flag('preserve-fds', 'int'),
  flag('user|u', 'string'),
  flag('additional-gids|g', 'list'),
  flag('cap|c', 'list'),
  flag('no-new-privs', 'bool'),
  flag('apparmor', 'string'),
  flag('process-label', 'string'),
];

/** runc's update flags; `cpu-share` is runc's spelling, `cpu-shares` the one users type. */
const UPDATE_NUMBERS = {
  blkioWeight: 'blkio-weight', cpuPeriod: 'cpu-period', cpuQuota: 'cpu-quota', cpuBurst: 'cpu-burst', cpuShares: 'cpu-shares|cpu-share',
  cpuRtPeriod: 'cpu-rt-period', cpuRtRuntime: 'cpu-rt-runtime', cpuIdle: 'cpu-idle', pidsLimit: 'pids-limit',
} as const;
const UPDATE_BYTES = { memory: 'memory', memoryReservation: 'memory-reservation', memorySwap: 'memory-swap' } as const;
const UPDATE_FLAGS: readonly FlagSpec[] = [
  flag('resources|r', 'string'),
  flag('cpuset-cpus', 'string'),
  flag('cpuset-mems', 'string'),
  ...[...Object.values(UPDATE_NUMBERS), ...Object.values(UPDATE_BYTES)].map((names) => flag(names, 'string')),
];

interface CommandSpec {
  readonly flags: readonly FlagSpec[];
  readonly build: (f: Flags, pos: string[]) => Command;
}

const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  ['create', { flags: CREATE_FLAGS, build: (f, pos) => createOrRun('create', f, pos) }],
  ['run', { flags: [...CREATE_FLAGS, flag('detach|d', 'bool')], build: (f, pos) => createOrRun('run', f, pos) }],
  ['start', { flags: [], build: (_f, pos) => ({ name: 'start', id: ids('start', pos, 1)[0] }) }],
  ['state', { flags: [], build: (_f, pos) => ({ name: 'state', id: ids('state', pos, 1)[0] }) }],
  ['stop', { flags: [], build: (_f, pos) => ({ name: 'stop', id: ids('stop', pos, 1)[0] }) }],
  // --if-init PID:START (for the autoremove watcher): delete only while the container's init is that process.
  ['delete', { flags: [flag('force|f', 'bool'), flag('if-init', 'string')], build: buildDelete }],
  ['kill', { flags: [flag('all|a', 'bool')], build: buildKill }],
  ['list', { flags: [flag('format|f', 'choice', TABLE_JSON), flag('quiet|q', 'bool')], build: buildList }],
  ['ps', { flags: [flag('format|f', 'choice', TABLE_JSON)], build: buildPs }],
  ['exec', { flags: EXEC_FLAGS, build: buildExec }],
  ['pause', { flags: [], build: (_f, pos) => ({ name: 'pause', id: ids('pause', pos, 1)[0] }) }],
  ['resume', { flags: [], build: (_f, pos) => ({ name: 'resume', id: ids('resume', pos, 1)[0] }) }],
  ['update', { flags: UPDATE_FLAGS, build: buildUpdate }],
  ['events', { flags: [flag('stats', 'bool'), flag('interval', 'string')], build: buildEvents }],
  ['features', { flags: [], build: (_f, pos) => bare('features', pos) }],
  ['help', { flags: [], build: (_f, pos) => bare('help', pos) }],
  ['version', { flags: [], build: (_f, pos) => bare('version', pos) }],
  ['spec', { flags: [flag('bundle|b', 'string'), flag('rootless', 'bool'), flag('edition', 'choice', EDITIONS)], build: buildSpec }],
  ['validate', { flags: [flag('bundle|b', 'string'), flag('format', 'choice', TEXT_JSON)], build: buildValidate }],
]);

// ---- the one loop ------------------------------------------------------------------------------

export function parseArgs(argv: string[]): Invocation {
  const { flags, rest } = parseFlags('', GLOBAL_FLAGS, argv);
  const globals = toGlobals(flags);
  const [name, ...args] = rest;
  if (bool(flags, 'help')) return { globals, command: { name: 'help' } };
  if (bool(flags, 'version')) return { globals, command: { name: 'version' } };
  if (name === undefined) return { globals, command: { name: 'help' } }; // runc prints help too
  return { globals, command: parseCommand(name, args) };
}

/**
 * The global flags alone, for reporting an error in the command that follows them: an engine reads
 * the last line of --log, so a bad command line must land there too (ENGINES.md "Global flags").
 * undefined when the global flags themselves cannot be read.
 */
export function globalsOf(argv: string[]): GlobalOptions | undefined {
  try {
    return toGlobals(parseFlags('', GLOBAL_FLAGS, argv).flags);
  } catch {
    return undefined;
  }
}

function parseCommand(name: string, args: string[]): Command {
  const spec = COMMANDS.get(name);
  if (!spec) throw usageError(`unknown command ${q(name)}`);
  const { flags, rest } = parseFlags(name, [...spec.flags, HELP], args);
  return bool(flags, 'help') ? { name: 'help' } : spec.build(flags, rest);
}

/** Reads flags until the first positional or `--`; `ctx` names the command in errors ('' for globals). */
function parseFlags(ctx: string, specs: readonly FlagSpec[], args: string[]): { flags: Flags; rest: string[] } {
  const flags = new Map<string, Value>();
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--') return { flags, rest: args.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') break;
    i = readFlag(ctx, specs, args, i, flags);
  }
  return { flags, rest: args.slice(i) };
}

/** Reads the flag at args[i] (and its value) into `flags`; returns the index after them. */
function readFlag(ctx: string, specs: readonly FlagSpec[], args: string[], i: number, flags: Map<string, Value>): number {
  const arg = args[i]!;
  const eq = arg.indexOf('=');
  const written = eq < 0 ? arg : arg.slice(0, eq);
  const spec = specs.find((s) => s.names.includes(written.replace(/^--?/, '')));
  if (!spec) throw fail(ctx, `unknown flag ${q(written)}`);
  const where = `${ctx ? `${ctx}: ` : ''}--${spec.names[0]}`;
  const inline = eq < 0 ? undefined : arg.slice(eq + 1);
  const { raw, used } = rawValue(where, spec, inline, args[i + 1]);
  const value = convert(where, spec, raw);
  const prev = flags.get(spec.key);
  flags.set(spec.key, Array.isArray(prev) && Array.isArray(value) ? [...prev, ...value] : value);
  return i + 1 + used;
}

/** The flag's text and how many following arguments it took (0 or 1). */
function rawValue(where: string, spec: FlagSpec, inline: string | undefined, next: string | undefined): { raw: string; used: number } {
  if (inline !== undefined) return { raw: inline, used: 0 };
  if (spec.kind === 'bool') return { raw: 'true', used: 0 };
  if (spec.kind === 'optional') {
    const takes = next !== undefined && spec.choices!.includes(next.toLowerCase());
    return takes ? { raw: next, used: 1 } : { raw: 'true', used: 0 };
  }
  if (next === undefined) throw usageError(`${where}: missing value`);
  return { raw: next, used: 1 };
}

function convert(where: string, spec: FlagSpec, raw: string): Value {
  switch (spec.kind) {
    case 'bool':
      return parseBool(where, raw);
    case 'int':
      if (!/^[0-9]{1,9}$/.test(raw)) throw usageError(`${where}: must be a non-negative integer, got ${q(raw)}`);
      return Number(raw);
    case 'choice':
    case 'optional': {
      const value = spec.kind === 'optional' ? raw.toLowerCase() : raw;
      if (!spec.choices!.includes(value)) throw usageError(`${where}: must be ${alternatives(spec.choices!)}`);
      return value;
    }
    case 'string':
    case 'list':
      if (raw === '') throw usageError(`${where}: must not be empty`);
      return spec.kind === 'list' ? [raw] : raw;
  }
}

function parseBool(where: string, raw: string): boolean {
  const lower = raw.toLowerCase();
  if (['true', 't', '1'].includes(lower)) return true;
  if (['false', 'f', '0'].includes(lower)) return false;
  throw usageError(`${where}: must be true or false`);
}

/** "text or json", "a, b or c". */
function alternatives(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

// ---- reading the parsed flags ------------------------------------------------------------------

/** User text in a message, quoted and kept on one line. */
const q = (text: string): string => JSON.stringify(text);
const fail = (ctx: string, msg: string) => usageError(ctx ? `${ctx}: ${msg}` : msg);
const bool = (f: Flags, key: string): boolean => f.get(key) === true;
const int = (f: Flags, key: string): number => {
  const v = f.get(key);
  return typeof v === 'number' ? v : 0;
};
const str = (f: Flags, key: string): string | undefined => {
  const v = f.get(key);
  return typeof v === 'string' ? v : undefined;
};
const list = (f: Flags, key: string): string[] => {
  const v = f.get(key);
  return Array.isArray(v) ? v : [];
};
/** The chosen value, or the first choice when the flag was not given. */
const oneOf = <T extends string>(f: Flags, key: string, choices: readonly [T, ...T[]]): T =>
  choices.find((c) => c === f.get(key)) ?? choices[0];

function toGlobals(f: Flags): GlobalOptions {
  const g: GlobalOptions = { logFormat: oneOf(f, 'logFormat', TEXT_JSON), debug: bool(f, 'debug'), systemdCgroup: bool(f, 'systemdCgroup') };
  for (const key of ['root', 'log', 'rootless'] as const) {
    const v = str(f, key);
    if (v !== undefined) g[key] = v;
  }
  return g;
}

/** The container id and up to max-1 further positionals. */
function ids(ctx: string, pos: string[], max: number): [string, ...string[]] {
  const [id, ...rest] = pos;
  if (id === undefined) throw fail(ctx, 'missing container id');
  if (pos.length > max) throw fail(ctx, 'too many arguments');
  return [id, ...rest];
}

function bare<N extends 'features' | 'help' | 'version'>(name: N, pos: string[]): { name: N } {
  if (pos.length > 0) throw fail(name, 'too many arguments');
  return { name };
}

/** A bundle given by --bundle or as a positional, not both. */
function oneBundle(ctx: string, f: Flags, positional: string | undefined): string | undefined {
  const byFlag = str(f, 'bundle');
  if (byFlag !== undefined && positional !== undefined) throw fail(ctx, 'bundle given both by --bundle and as an argument');
  if (positional === '') throw fail(ctx, 'empty bundle path');
  return byFlag ?? positional;
}

// ---- one builder per command shape -------------------------------------------------------------

function createOrRun(name: 'create' | 'run', f: Flags, pos: string[]): Command {
  const [id, bundle] = ids(name, pos, 2);
  return {
    name,
    id,
    bundle: oneBundle(name, f, bundle),
    grammar: bundle === undefined ? 'runc' : 'draft',
    pidFile: str(f, 'pidFile'),
    consoleSocket: str(f, 'consoleSocket'),
    noPivot: bool(f, 'noPivot'),
    noNewKeyring: bool(f, 'noNewKeyring'),
    preserveFds: int(f, 'preserveFds'),
    detach: bool(f, 'detach'),
  };
}

function buildDelete(f: Flags, pos: string[]): Command {
  return { name: 'delete', id: ids('delete', pos, 1)[0], force: bool(f, 'force'), ifInit: str(f, 'ifInit') };
}

function buildKill(f: Flags, pos: string[]): Command {
  const [id, signal = 'SIGTERM'] = ids('kill', pos, 2);
  try {
    return { name: 'kill', id, signal: parseSignal(signal), all: bool(f, 'all') };
  } catch (err) {
    throw usageError(`kill: ${messageOf(err)}`, err);
  }
}

function buildList(f: Flags, pos: string[]): Command {
  if (pos.length > 0) throw fail('list', 'too many arguments');
  return { name: 'list', format: oneOf(f, 'format', TABLE_JSON), quiet: bool(f, 'quiet') };
}

function buildPs(f: Flags, pos: string[]): Command {
  const [id, ...rest] = ids('ps', pos, Infinity);
  const format = oneOf(f, 'format', TABLE_JSON);
  // runc: ps options go to ps(1) with the table format only.
  if (format === 'json' && rest.length > 0) throw fail('ps', 'ps options cannot be used with --format json');
  return { name: 'ps', id, format, psArgs: rest[0] === '--' ? rest.slice(1) : rest };
}

/** A signed integer flag value (runc's int64 flags: -1 means unlimited where the kernel has it). */
function signedInt(where: string, raw: string): number {
  if (!/^-?[0-9]{1,18}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw usageError(`${where}: must be an integer, got ${q(raw)}`);
  return Number(raw);
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Bytes as runc reads them (go-units RAMInBytes): 1024-based k/m/g/t/p suffixes, optional "b"; -1 is unlimited. */
export function parseBytes(where: string, raw: string): number {
  if (raw === '-1') return -1;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(raw);
  const n = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(n)) throw usageError(`${where}: must be a size in bytes (like 512m or 1g) or -1, got ${q(raw)}`);
  return n;
}

function buildUpdate(f: Flags, pos: string[]): Command {
  const id = ids('update', pos, 1)[0];
  const values: UpdateValues = {};
  for (const [key, names] of Object.entries(UPDATE_NUMBERS) as Array<[keyof typeof UPDATE_NUMBERS, string]>) {
    const raw = str(f, key);
    if (raw !== undefined) values[key] = signedInt(`update: --${names.split('|')[0]}`, raw);
  }
  for (const [key, name] of Object.entries(UPDATE_BYTES) as Array<[keyof typeof UPDATE_BYTES, string]>) {
    const raw = str(f, key);
    if (raw !== undefined) values[key] = parseBytes(`update: --${name}`, raw);
  }
  for (const key of ['cpusetCpus', 'cpusetMems'] as const) {
    const raw = str(f, key);
    if (raw !== undefined) values[key] = raw;
  }
  const resources = str(f, 'resources');
  if (resources !== undefined && Object.keys(values).length > 0) throw fail('update', '--resources cannot be combined with other flags');
  return { name: 'update', id, resources, values };
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration as runc's --interval takes it: "5s", "100ms", "1m30s". */
export function parseDuration(where: string, raw: string): number {
  const parts = [...raw.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  const total = parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
  if (parts.map((p) => p[0]).join('') !== raw || total <= 0) throw usageError(`${where}: must be a positive duration like 5s or 500ms, got ${q(raw)}`);
  return total;
}

function buildEvents(f: Flags, pos: string[]): Command {
  const raw = str(f, 'interval');
  return { name: 'events', id: ids('events', pos, 1)[0], stats: bool(f, 'stats'), intervalMs: raw === undefined ? 5000 : parseDuration('events: --interval', raw) };
}

function buildExec(f: Flags, pos: string[]): Command {
  const [id, ...rest] = ids('exec', pos, Infinity);
  const args = rest[0] === '--' ? rest.slice(1) : rest; // `exec ID -- CMD...`
  const process = str(f, 'process');
  if (process === undefined && args.length === 0) throw fail('exec', 'missing command: give arguments or --process');
  if (process !== undefined && args.length > 0) throw fail('exec', 'give either --process or arguments, not both');
  const env = list(f, 'env');
  const bad = env.find((e) => !/^[^=]+=/.test(e));
  if (bad !== undefined) throw fail('exec', `--env: must be KEY=VALUE, got ${q(bad)}`);
  const gids = list(f, 'additionalGids');
  const badGid = gids.find((g) => !/^[0-9]{1,10}$/.test(g) || Number(g) > 0xffffffff);
  if (badGid !== undefined) throw fail('exec', `--additional-gids: must be a group id from 0 to 4294967295, got ${q(badGid)}`);
  return {
    name: 'exec',
    id,
    process,
    detach: bool(f, 'detach'),
    pidFile: str(f, 'pidFile'),
    consoleSocket: str(f, 'consoleSocket'),
    tty: bool(f, 'tty'),
    cwd: str(f, 'cwd'),
    env,
    preserveFds: int(f, 'preserveFds'),
    args,
    user: str(f, 'user'),
    additionalGids: gids.map(Number),
    caps: list(f, 'cap'),
    noNewPrivs: f.has('noNewPrivs') ? bool(f, 'noNewPrivs') : undefined,
    apparmor: str(f, 'apparmor'),
    processLabel: str(f, 'processLabel'),
  };
}

function buildSpec(f: Flags, pos: string[]): Command {
  if (pos.length > 0) throw fail('spec', 'too many arguments');
  return { name: 'spec', bundle: str(f, 'bundle'), rootless: bool(f, 'rootless'), edition: oneOf(f, 'edition', EDITIONS) };
}

function buildValidate(f: Flags, pos: string[]): Command {
  if (pos.length > 1) throw fail('validate', 'too many arguments');
  return { name: 'validate', bundle: oneBundle('validate', f, pos[0]), format: oneOf(f, 'format', TEXT_JSON) };
}
