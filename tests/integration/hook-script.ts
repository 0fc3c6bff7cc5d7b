// The hook program of hooks.test.ts: a shell script that appends one line to a log for each call —
// its name, its pid, its namespaces, its argv and environ, and the state it read on stdin — so the
// log shows which hooks ran, in which order, where and with what. The script runs under the host's
// /bin/sh, or under a static busybox in the container (startContainer), where the kit's directory
// is bind-mounted at IN_CONTAINER.
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/spec/config.ts';
import { busyboxRootfs } from './busybox-rootfs.ts';
import { isAlive, type Sandbox } from './harness.ts';

import type { Hook, HookKind, Hooks } from '../../src/plan/hooks.ts';

export type { Hook, HookKind, Hooks };

/** Where the kit's directory is in the container (under its /tmp tmpfs: nothing is made in the shared rootfs). */
export const IN_CONTAINER = '/tmp/hooks';

/** The namespaces each call records, as nsOf() names them. */
export const NS_TYPES = ['mnt', 'net', 'pid', 'uts', 'ipc', 'user', 'cgroup'] as const;

// Everything is read from the shell's own /proc entry: in a new PID namespace before pivot_root
// (createContainer) /proc is still the host's, where $$ names another process. `exec 3<` and the
// builtin `read` open /proc/self in the shell itself; /proc/self/stat's first field is the pid as
// that /proc sees it (the host's for every hook but startContainer). stdin is read to its end.
const SCRIPT = `#!/bin/sh
# hook.sh NAME LOG [CODE [SLEEP]]: appends NAME, pid, namespaces, argv, environ, whether the state's
# pid is alive, and stdin to LOG; writes a line to stdout and one to stderr; then sleeps SLEEP
# seconds (if given) or exits CODE.
PATH="\${0%/*}/bin:/usr/sbin:/usr/bin:/sbin:/bin"
exec 3</proc/self/cmdline 4</proc/self/environ
read -r stat </proc/self/stat
state=$(tr '\\n' ' ')
ns=
for t in ${NS_TYPES.join(' ')}; do ns="$ns$(readlink /proc/self/ns/$t) "; done
# live: whether the state's pid is a process, not a zombie, in this /proc ("" when there is no pid)
live=
pid=\${state#*\\"pid\\":}; pid=\${pid%%[,\\}]*}
case "$pid" in
''|*[!0-9]*) ;;
*)
  live=no
  if read -r st 2>/dev/null </proc/"$pid"/stat; then
    sep=') '; st=\${st##*"$sep"}
    case "$st" in [ZX]*) ;; *) live=yes ;; esac
  fi ;;
esac
printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$1" "\${stat%% *}" "$ns" "$(tr '\\0' '\\037' <&3)" "$(tr '\\0' '\\037' <&4)" "$live" "$state" >>"$2"
echo "hook-stdout $1"
echo "hook-stderr $1" >&2
[ -n "$4" ] && exec sleep "$4"
exit "\${3:-0}"
`;

export interface HookRun {
  name: string;
  /** The hook's pid as its /proc saw it: the host's, except for startContainer (the container's). */
  pid: number;
  /** e.g. { mnt: 'mnt:[4026531841]', ... } */
  ns: Record<string, string>;
  argv: string[];
  env: string[];
  /** Whether the state's pid was a live process in the hook's /proc when it ran (undefined: no pid). */
  stateLive: boolean | undefined;
  /** stdin parsed as JSON, or undefined (then see `stdin`). */
  state: Record<string, unknown> | undefined;
  stdin: string;
}

export interface HookOptions {
  /** Exit code (default 0). */
  code?: number;
  /** Seconds to sleep instead of exiting (the process is then `sleep`, same pid). */
  sleep?: number;
  timeout?: number;
  env?: string[];
}

/** NUL-separated lists as the script writes them (each NUL turned into \x1f). */
const list = (s: string) => (s === '' ? [] : s.split('\x1f').slice(0, -1));

export class HookKit {
  readonly dir: string;
  readonly script: string;
  readonly log: string;

  constructor(s: Sandbox) {
    this.dir = s.file('hooks');
    mkdirSync(this.dir, { mode: 0o755 });
    chmodSync(this.dir, 0o755);
    busyboxRootfs(this.dir, ['sh', 'tr', 'readlink', 'sleep']);
    this.script = join(this.dir, 'hook.sh');
    this.log = join(this.dir, 'hooks.log');
    writeFileSync(this.script, SCRIPT);
    chmodSync(this.script, 0o755);
    writeFileSync(this.log, '');
    chmodSync(this.log, 0o666); // a container root in a user namespace writes it too
  }

  /** A hook run on the host's paths (every kind but startContainer). */
  hook(name: string, o: HookOptions = {}): Hook {
    return this.entry(this.script, ['hook.sh'], this.log, name, o); // the kernel runs /bin/sh SCRIPT NAME LOG ...
  }

  /** A startContainer hook: paths in the container, where the kit is at IN_CONTAINER (see mountInto). */
  inContainer(name: string, o: HookOptions = {}): Hook {
    return this.entry(`${IN_CONTAINER}/bin/busybox`, ['sh', `${IN_CONTAINER}/hook.sh`], `${IN_CONTAINER}/hooks.log`, name, o);
  }

  /**
   * A host hook that is the script run by /bin/sh with `argv0` as argv[0], so its argv is exactly
   * `args` (with a script as `path`, the kernel puts the interpreter and the path in front of argv[1]).
   */
  withArgv0(argv0: string, name: string, extra: string[], env?: string[]): Hook {
    return { path: '/bin/sh', args: [argv0, this.script, name, this.log, '0', '', ...extra], ...(env ? { env } : {}) };
  }

  /** A hook that passes create's checks (an executable regular file) but cannot be executed: its interpreter is missing. */
  unexecutable(name: string): Hook {
    const path = join(this.dir, `${name}.sh`);
    writeFileSync(path, '#!/nonexistent/interpreter\n');
    chmodSync(path, 0o755);
    return { path };
  }

  /** Bind-mounts the kit's directory at IN_CONTAINER in the container, for inContainer hooks. */
  mountInto(c: Config): void {
    c.mounts = [...(c.mounts ?? []), { destination: IN_CONTAINER, type: 'bind', source: this.dir, options: ['rbind'] }];
  }

  /** `lead` is what comes before the script's own arguments: argv[0], and the script when `path` is its interpreter. */
  private entry(path: string, lead: string[], log: string, name: string, o: HookOptions): Hook {
    const args = [...lead, name, log, String(o.code ?? 0), o.sleep === undefined ? '' : String(o.sleep)];
    return { path, args, ...(o.env ? { env: o.env } : {}), ...(o.timeout !== undefined ? { timeout: o.timeout } : {}) };
  }

  runs(): HookRun[] {
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name = '', pid = '', ns = '', argv = '', env = '', live = '', stdin = ''] = line.split('\t');
        let state: Record<string, unknown> | undefined;
        try {
          state = JSON.parse(stdin) as Record<string, unknown>;
        } catch {
          state = undefined;
        }
        const nsMap = Object.fromEntries(ns.split(' ').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l]));
        return { name, pid: Number(pid), ns: nsMap, argv: list(argv), env: list(env), stateLive: live === '' ? undefined : live === 'yes', state, stdin };
      });
  }

  names(): string[] {
    return this.runs().map((r) => r.name);
  }

  run(name: string): HookRun {
    const r = this.runs().find((x) => x.name === name);
    if (!r) throw new Error(`hook ${name} did not run; the log has ${JSON.stringify(this.names())}`);
    return r;
  }

  /** Kills what is left of this kit's sleeping host hooks (a runtime that did not enforce a timeout). */
  killStrays(): void {
    for (const r of existsSync(this.log) ? this.runs() : []) {
      try {
        if (isAlive(r.pid) && readlinkSync(`/proc/${r.pid}/exe`).startsWith(this.dir)) process.kill(r.pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
  }
}
