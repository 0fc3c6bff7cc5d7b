import { describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { parseArgs, USAGE, type Command, type GlobalOptions } from '../../src/cli/grammar.ts';

const DEFAULT_GLOBALS: GlobalOptions = { logFormat: 'text', debug: false, systemdCgroup: false };
const cmd = (line: string): Command => parseArgs(words(line)).command;
const globals = (line: string): GlobalOptions => parseArgs(words(line)).globals;
const words = (line: string): string[] => (line === '' ? [] : line.split(' '));

/** The usage error parseArgs throws for argv (given as an array when a word holds a space). */
function usage(argv: string | string[]): string {
  try {
    parseArgs(typeof argv === 'string' ? words(argv) : argv);
  } catch (err) {
    if (err instanceof OciError && err.code === 'usage') return err.message;
    throw err;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

const CREATE_DEFAULTS = { grammar: 'runc', noPivot: false, noNewKeyring: false, preserveFds: 0, detach: false } as const;

describe('global flags', () => {
  it('has defaults', () => {
    expect(parseArgs(['state', 'x']).globals).toEqual(DEFAULT_GLOBALS);
  });

  it('takes every flag in the space form', () => {
    expect(globals('--root /r --log /l --log-format json --debug --systemd-cgroup --rootless false state x')).toEqual({
      root: '/r',
      log: '/l',
      logFormat: 'json',
      debug: true,
      systemdCgroup: true,
      rootless: 'false',
    });
  });

  it('takes every flag in the = form', () => {
    expect(globals('--root=/r --log=/l --log-format=json --debug=true --systemd-cgroup=1 --rootless=auto state x')).toEqual({
      root: '/r',
      log: '/l',
      logFormat: 'json',
      debug: true,
      systemdCgroup: true,
      rootless: 'auto',
    });
  });

  it('accepts one dash for a long flag, as Go does', () => {
    expect(globals('-root /r -debug state x')).toMatchObject({ root: '/r', debug: true });
  });

  it('lets a repeated flag keep its last value', () => {
    expect(globals('--root /a --root=/b --log-format json --log-format text state x')).toMatchObject({ root: '/b', logFormat: 'text' });
  });

  it('takes booleans switched off', () => {
    expect(globals('--debug --debug=false --systemd-cgroup=F state x')).toMatchObject({ debug: false, systemdCgroup: false });
  });

  it('takes --rootless with or without a value', () => {
    expect(globals('--rootless state x').rootless).toBe('true');
    expect(globals('--rootless true state x').rootless).toBe('true');
    expect(globals('--rootless AUTO state x').rootless).toBe('auto');
    expect(globals('--rootless=False state x').rootless).toBe('false');
    expect(cmd('--rootless state x')).toEqual({ name: 'state', id: 'x' });
  });

  it('ends at --', () => {
    expect(parseArgs(['--debug', '--', 'state', 'x'])).toEqual({ globals: { ...DEFAULT_GLOBALS, debug: true }, command: { name: 'state', id: 'x' } });
  });

  it.each([
    ['--root', '--root: missing value'],
    ['--log', '--log: missing value'],
    ['--log-format', '--log-format: missing value'],
    ['--log-format yaml state x', '--log-format: must be text or json'],
    ['--log-format=JSON state x', '--log-format: must be text or json'],
    ['--rootless=maybe state x', '--rootless: must be auto, true or false'],
    ['--debug=yes state x', '--debug: must be true or false'],
    ['--root= state x', '--root: must not be empty'],
    ['--frob state x', 'unknown flag "--frob"'],
    ['--frob=1 state x', 'unknown flag "--frob"'],
    ['-x state x', 'unknown flag "-x"'],
    ['---root /r state x', 'unknown flag "---root"'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });

  it('keeps global flags out of commands', () => {
    expect(usage('state --root /r x')).toBe('state: unknown flag "--root"');
  });
});

describe('help, version and unknown commands', () => {
  it.each(['', '--help', '-h', 'help', '--debug', '--help state x', 'state --help', 'create -h', 'kill --help x'])('%j asks for help', (line) => {
    expect(cmd(line)).toEqual({ name: 'help' });
  });

  it.each(['--version', '-v', 'version', '--debug -v'])('%j asks for the version', (line) => {
    expect(cmd(line)).toEqual({ name: 'version' });
  });

  it('rejects unknown commands', () => {
    expect(usage('frob')).toBe('unknown command "frob"');
    expect(usage('--debug frob x')).toBe('unknown command "frob"');
    expect(usage('constructor')).toBe('unknown command "constructor"');
    expect(usage(['a\nb'])).toBe('unknown command "a\\nb"');
  });

  it('rejects arguments to help and features', () => {
    expect(usage('help create')).toBe('help: too many arguments');
    expect(usage('features x')).toBe('features: too many arguments');
  });

  it('has a usage text naming every command and global flag', () => {
    for (const word of ['create', 'start', 'run', 'state', 'kill', 'stop', 'delete', 'list', 'ps', 'pause', 'resume', 'update', 'events', 'exec', 'features', 'spec', 'validate', 'help']) {
      expect(USAGE).toContain(`  ${word}`);
    }
    for (const f of ['--root', '--log ', '--log-format', '--debug', '--systemd-cgroup', '--rootless', '--help', '--version']) expect(USAGE).toContain(f);
  });
});

describe('create and run', () => {
  it('takes runc grammar with defaults: the bundle stays unresolved', () => {
    expect(cmd('create abc')).toEqual({ name: 'create', id: 'abc', ...CREATE_DEFAULTS });
    expect(cmd('create abc')).not.toHaveProperty('bundle', expect.anything());
  });

  it('takes what podman and containerd pass', () => {
    const line = '--systemd-cgroup create --bundle /b --pid-file /p --no-pivot --no-new-keyring --preserve-fds 2 --console-socket /s abc';
    expect(parseArgs(words(line))).toEqual({
      globals: { ...DEFAULT_GLOBALS, systemdCgroup: true },
      command: { name: 'create', id: 'abc', bundle: '/b', pidFile: '/p', consoleSocket: '/s', noPivot: true, noNewKeyring: true, preserveFds: 2, detach: false, grammar: 'runc' },
    });
  });

  it('takes the = forms and short -b', () => {
    expect(cmd('create --bundle=/b --pid-file=/p --console-socket=/s --preserve-fds=3 --no-pivot=true abc')).toEqual({
      name: 'create', id: 'abc', bundle: '/b', pidFile: '/p', consoleSocket: '/s', ...CREATE_DEFAULTS, noPivot: true, preserveFds: 3,
    });
    expect(cmd('create -b rel/dir abc')).toMatchObject({ bundle: 'rel/dir', grammar: 'runc' });
    expect(cmd('create -b=/b abc')).toMatchObject({ bundle: '/b' });
  });

  it('takes the draft grammar: <id> <bundle>', () => {
    expect(cmd('create abc /b')).toEqual({ name: 'create', id: 'abc', bundle: '/b', ...CREATE_DEFAULTS, grammar: 'draft' });
    expect(cmd('create --pid-file /p abc /b')).toMatchObject({ pidFile: '/p', bundle: '/b', grammar: 'draft' });
  });

  it('takes run in both grammars, with --detach', () => {
    expect(cmd('run abc')).toEqual({ name: 'run', id: 'abc', ...CREATE_DEFAULTS });
    expect(cmd('run -d -b /b abc')).toEqual({ name: 'run', id: 'abc', bundle: '/b', ...CREATE_DEFAULTS, detach: true });
    expect(cmd('run --detach abc /b')).toEqual({ name: 'run', id: 'abc', bundle: '/b', ...CREATE_DEFAULTS, detach: true, grammar: 'draft' });
  });

  it('lets the last of a repeated flag win', () => {
    expect(cmd('create -b /a --bundle /b --preserve-fds 1 --preserve-fds 4 abc')).toMatchObject({ bundle: '/b', preserveFds: 4 });
  });

  it('treats everything after -- as positionals', () => {
    expect(cmd('create -- -abc')).toMatchObject({ id: '-abc' });
    expect(cmd('create -b /b -- abc')).toMatchObject({ id: 'abc', bundle: '/b' });
  });

  it.each([
    ['create', 'create: missing container id'],
    ['create --bundle /b', 'create: missing container id'],
    ['run', 'run: missing container id'],
    ['create a /b c', 'create: too many arguments'],
    ['create --bundle /b abc /c', 'create: bundle given both by --bundle and as an argument'],
    ['run -b /b abc /c', 'run: bundle given both by --bundle and as an argument'],
    ['create abc --bundle /b', 'create: too many arguments'],
    ['create --bundle', 'create: --bundle: missing value'],
    ['create --pid-file', 'create: --pid-file: missing value'],
    ['create --preserve-fds x abc', 'create: --preserve-fds: must be a non-negative integer, got "x"'],
    ['create --preserve-fds -1 abc', 'create: --preserve-fds: must be a non-negative integer, got "-1"'],
    ['create --no-pivot=maybe abc', 'create: --no-pivot: must be true or false'],
    ['create --detach abc', 'create: unknown flag "--detach"'],
    ['create -d abc', 'create: unknown flag "-d"'],
    ['create --bundle= abc', 'create: --bundle: must not be empty'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });

  it('rejects an empty draft bundle', () => {
    expect(usage(['create', 'abc', ''])).toBe('create: empty bundle path');
  });
});

describe('start, state, stop', () => {
  it.each(['start', 'state', 'stop'] as const)('%s takes one id', (name) => {
    expect(cmd(`${name} abc`)).toEqual({ name, id: 'abc' });
    expect(usage(name)).toBe(`${name}: missing container id`);
    expect(usage(`${name} a b`)).toBe(`${name}: too many arguments`);
    expect(usage(`${name} --force a`)).toBe(`${name}: unknown flag "--force"`);
  });

  it('takes an id that looks like a flag after --', () => {
    expect(cmd('state -- -x')).toEqual({ name: 'state', id: '-x' });
  });

  it('takes "-" as a positional', () => {
    expect(cmd('state -')).toEqual({ name: 'state', id: '-' });
  });
});

describe('delete', () => {
  it('takes --force, -f and the default', () => {
    expect(cmd('delete abc')).toEqual({ name: 'delete', id: 'abc', force: false });
    expect(cmd('delete --force abc')).toEqual({ name: 'delete', id: 'abc', force: true });
    expect(cmd('delete -f abc')).toEqual({ name: 'delete', id: 'abc', force: true });
    expect(cmd('delete --force=false abc')).toEqual({ name: 'delete', id: 'abc', force: false });
  });

  it('keeps flags before the id, as runc does', () => {
    expect(usage('delete abc --force')).toBe('delete: too many arguments');
    expect(usage('delete')).toBe('delete: missing container id');
  });
});

describe('kill', () => {
  it('defaults to SIGTERM', () => {
    expect(cmd('kill abc')).toEqual({ name: 'kill', id: 'abc', signal: 15, all: false });
  });

  it.each([
    ['9', 9],
    ['KILL', 9],
    ['sigkill', 9],
    ['SIGUSR1', 10],
    ['SIGRTMIN+2', 36],
    ['64', 64],
  ])('takes the signal %s', (signal, n) => {
    expect(cmd(`kill abc ${signal}`)).toEqual({ name: 'kill', id: 'abc', signal: n, all: false });
  });

  it('takes --all and -a', () => {
    expect(cmd('kill --all abc 9')).toEqual({ name: 'kill', id: 'abc', signal: 9, all: true });
    expect(cmd('kill -a abc')).toMatchObject({ all: true, signal: 15 });
  });

  it.each([
    ['kill abc SIGFOO', 'kill: unknown signal "SIGFOO"'],
    ['kill abc 0', 'kill: unknown signal "0"'],
    ['kill abc 65', 'kill: unknown signal "65"'],
    ['kill abc -9', 'kill: unknown signal "-9"'],
    ['kill -9 abc', 'kill: unknown flag "-9"'],
    ['kill', 'kill: missing container id'],
    ['kill abc 9 x', 'kill: too many arguments'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });
});

describe('list and ps', () => {
  it('list has defaults and takes its flags', () => {
    expect(cmd('list')).toEqual({ name: 'list', format: 'table', quiet: false });
    expect(cmd('list --format json -q')).toEqual({ name: 'list', format: 'json', quiet: true });
    expect(cmd('list -f=json --quiet')).toEqual({ name: 'list', format: 'json', quiet: true });
    expect(cmd('list --format=table')).toEqual({ name: 'list', format: 'table', quiet: false });
  });

  it('ps has a default and takes --format', () => {
    expect(cmd('ps abc')).toEqual({ name: 'ps', id: 'abc', format: 'table', psArgs: [] });
    expect(cmd('ps --format json abc')).toEqual({ name: 'ps', id: 'abc', format: 'json', psArgs: [] });
    expect(cmd('ps -f json abc')).toEqual({ name: 'ps', id: 'abc', format: 'json', psArgs: [] });
  });

  it('ps passes what follows the id to ps(1), as runc does', () => {
    expect(cmd('ps abc -o pid,comm')).toEqual({ name: 'ps', id: 'abc', format: 'table', psArgs: ['-o', 'pid,comm'] });
    expect(cmd('ps abc -- -ef')).toMatchObject({ psArgs: ['-ef'] });
  });

  it.each([
    ['list x', 'list: too many arguments'],
    ['list --format yaml', 'list: --format: must be table or json'],
    ['list --format', 'list: --format: missing value'],
    ['ps', 'ps: missing container id'],
    ['ps -f json a -ef', 'ps: ps options cannot be used with --format json'],
    ['ps --format text abc', 'ps: --format: must be table or json'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });
});

describe('pause, resume, update and events', () => {
  it('pause and resume take one id', () => {
    expect(cmd('pause abc')).toEqual({ name: 'pause', id: 'abc' });
    expect(cmd('resume abc')).toEqual({ name: 'resume', id: 'abc' });
    expect(usage('pause')).toBe('pause: missing container id');
    expect(usage('resume a b')).toBe('resume: too many arguments');
  });

  it('update keeps only the flags given, in their units', () => {
    expect(cmd('update abc')).toEqual({ name: 'update', id: 'abc', values: {} });
    expect(cmd('update --memory 512m --memory-swap -1 --cpu-shares 512 --cpu-quota -1 --pids-limit 20 --cpuset-cpus 0-1 abc')).toEqual({
      name: 'update', id: 'abc', values: { memory: 512 * 1024 * 1024, memorySwap: -1, cpuShares: 512, cpuQuota: -1, pidsLimit: 20, cpusetCpus: '0-1' },
    });
    expect(cmd('update --cpu-share=2 --memory=1G --memory-reservation 4096 --blkio-weight 300 abc')).toMatchObject({ values: { cpuShares: 2, memory: 1024 ** 3, memoryReservation: 4096, blkioWeight: 300 } });
    expect(cmd('update -r - abc')).toEqual({ name: 'update', id: 'abc', resources: '-', values: {} });
    expect(cmd('update --resources=/f abc')).toMatchObject({ resources: '/f' });
  });

  it.each([
    ['update', 'update: missing container id'],
    ['update --memory lots abc', 'update: --memory: must be a size in bytes (like 512m or 1g) or -1, got "lots"'],
    ['update --cpu-quota 1.5 abc', 'update: --cpu-quota: must be an integer, got "1.5"'],
    ['update -r /f --memory 1 abc', 'update: --resources cannot be combined with other flags'],
    ['update --frob 1 abc', 'update: unknown flag "--frob"'],
  ])('update rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });

  it('events reads --stats and a Go duration', () => {
    expect(cmd('events abc')).toEqual({ name: 'events', id: 'abc', stats: false, intervalMs: 5000 });
    expect(cmd('events --stats --interval 250ms abc')).toEqual({ name: 'events', id: 'abc', stats: true, intervalMs: 250 });
    expect(cmd('events --interval=1m30s abc')).toMatchObject({ intervalMs: 90_000 });
    expect(usage('events --interval 5 abc')).toBe('events: --interval: must be a positive duration like 5s or 500ms, got "5"');
    expect(usage('events --interval 0s abc')).toBe('events: --interval: must be a positive duration like 5s or 500ms, got "0s"');
  });
});

describe('exec', () => {
  const EXEC_DEFAULTS = { name: 'exec', id: 'abc', detach: false, tty: false, env: [], preserveFds: 0, additionalGids: [], caps: [] } as const;

  it('takes what podman passes', () => {
    expect(cmd('exec --pid-file /p --process /f -d --tty --preserve-fds 1 --console-socket /s abc')).toEqual({
      ...EXEC_DEFAULTS, process: '/f', detach: true, pidFile: '/p', consoleSocket: '/s', tty: true, preserveFds: 1, args: [],
    });
  });

  it('takes what containerd passes', () => {
    expect(cmd('exec --process=/f --console-socket=/s --detach --pid-file=/p abc')).toEqual({
      ...EXEC_DEFAULTS, process: '/f', consoleSocket: '/s', detach: true, pidFile: '/p', args: [],
    });
  });

  it('takes arguments verbatim after the id, flags included', () => {
    expect(cmd('exec abc ls -la --color')).toEqual({ ...EXEC_DEFAULTS, args: ['ls', '-la', '--color'] });
    expect(cmd('exec -t -p=/f abc')).toMatchObject({ tty: true, process: '/f', args: [] });
  });

  it('drops one -- after the id', () => {
    expect(cmd('exec abc -- sh -c true')).toMatchObject({ args: ['sh', '-c', 'true'] });
    expect(cmd('exec -- abc sh')).toMatchObject({ id: 'abc', args: ['sh'] });
    expect(cmd('exec abc -- -- x')).toMatchObject({ args: ['--', 'x'] });
  });

  it('collects every --env and takes --cwd', () => {
    expect(cmd('exec -e A=1 --env B= --env=C=x=y --cwd /w abc sh')).toEqual({
      ...EXEC_DEFAULTS, env: ['A=1', 'B=', 'C=x=y'], cwd: '/w', args: ['sh'],
    });
  });

  it('takes runc\'s process flags: --user, --additional-gids and --cap (repeatable), --no-new-privs, --apparmor, --process-label', () => {
    expect(cmd('exec -u 1000:100 -g 5 --additional-gids=6 -c CAP_KILL --cap CAP_CHOWN --no-new-privs --apparmor prof --process-label lbl abc sh')).toEqual({
      ...EXEC_DEFAULTS, user: '1000:100', additionalGids: [5, 6], caps: ['CAP_KILL', 'CAP_CHOWN'], noNewPrivs: true, apparmor: 'prof', processLabel: 'lbl', args: ['sh'],
    });
    expect(cmd('exec --no-new-privs=false abc sh')).toMatchObject({ noNewPrivs: false });
    expect(cmd('exec abc sh')).not.toHaveProperty('noNewPrivs', expect.anything());
  });

  it.each([
    ['exec', 'exec: missing container id'],
    ['exec abc', 'exec: missing command: give arguments or --process'],
    ['exec abc --', 'exec: missing command: give arguments or --process'],
    ['exec -p /f abc sh', 'exec: give either --process or arguments, not both'],
    ['exec -e FOO abc sh', 'exec: --env: must be KEY=VALUE, got "FOO"'],
    ['exec -e =x abc sh', 'exec: --env: must be KEY=VALUE, got "=x"'],
    ['exec --env', 'exec: --env: missing value'],
    ['exec --uid 0 abc sh', 'exec: unknown flag "--uid"'],
    ['exec -g x abc sh', 'exec: --additional-gids: must be a group id from 0 to 4294967295, got "x"'],
    ['exec -g 4294967296 abc sh', 'exec: --additional-gids: must be a group id from 0 to 4294967295, got "4294967296"'],
    ['exec --tty=2 abc sh', 'exec: --tty: must be true or false'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });
});

describe('spec', () => {
  it('has defaults and takes its flags', () => {
    expect(cmd('spec')).toEqual({ name: 'spec', rootless: false, edition: 'v1' });
    expect(cmd('spec --bundle /b --rootless --edition draft')).toEqual({ name: 'spec', bundle: '/b', rootless: true, edition: 'draft' });
    expect(cmd('spec -b=/b --edition=v1')).toEqual({ name: 'spec', bundle: '/b', rootless: false, edition: 'v1' });
  });

  it.each([
    ['spec /b', 'spec: too many arguments'],
    ['spec --edition v2', 'spec: --edition: must be v1 or draft'],
    ['spec --rootless true', 'spec: too many arguments'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });
});

describe('validate', () => {
  it('takes the bundle by flag or as an argument', () => {
    expect(cmd('validate')).toEqual({ name: 'validate', format: 'text' });
    expect(cmd('validate /b')).toEqual({ name: 'validate', bundle: '/b', format: 'text' });
    expect(cmd('validate --bundle /b')).toEqual({ name: 'validate', bundle: '/b', format: 'text' });
    expect(cmd('validate -b=/b --format json')).toEqual({ name: 'validate', bundle: '/b', format: 'json' });
    expect(cmd('validate --format=json /b')).toEqual({ name: 'validate', bundle: '/b', format: 'json' });
  });

  it.each([
    ['validate /a /b', 'validate: too many arguments'],
    ['validate -b /a /b', 'validate: bundle given both by --bundle and as an argument'],
    ['validate --format table', 'validate: --format: must be text or json'],
    ['validate -f json', 'validate: unknown flag "-f"'],
  ])('rejects %j: %s', (line, message) => {
    expect(usage(line)).toBe(message);
  });
});

describe('messages', () => {
  it('are one line', () => {
    expect(usage(['kill', 'abc', 'X\nY'])).toBe('kill: unknown signal "X\\nY"');
    expect(usage(['--x\ny'])).toBe('unknown flag "--x\\ny"');
  });
});
