// config-linux.md "Seccomp" and "The Container Process State" (v1.3.0), and the draft's seccomp:
// what the filter does to system calls the probe makes (`syscall NAME ARGS` prints the errno),
// the errors for an errno given to an action that takes none, and the seccomp agent a runtime
// sends the container process state to (listenerPath): the probe's `listen` on the host receives
// the state and the notify fd over SCM_RIGHTS, says how it came, and answers each notification.
// The system call the rules are about is getpriority, not the spec's example getcwd: a runtime
// runs code of its own after loading the filter (runc 1.1.5 checks its working directory with
// getcwd then), and no runtime calls getpriority.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, TestContext } from '../harness/types.ts';
import { answers, hostProbe, onX86_64, refusedByStart, type SyscallAnswer } from './observe.ts';
import { bundle, perEdition, pidOf, probe, said, started, succeeded, until, untilStopped, type Cfg } from './support.ts';
import { X86_64_SYSCALLS_BUT_GETPRIORITY } from './syscalls-x86_64.ts';

const EPERM = 1;
const ENOSYS = 38;

const APPLIED = { draft: ['draft:runtime:lifecycle:1', 'draft:runtime:create:3'], v1: ['v1:runtime:create:4', 'v1:runtime:lifecycle:1'] };

const withSeccomp = (seccomp: Record<string, unknown>) => (c: Cfg) => {
  c.linux!.seccomp = seccomp;
};

/** Runs the probe's `syscall` actions under `seccomp`; returns the errno of each, in order. */
async function errnos(ctx: TestContext, calls: string[][], seccomp: Record<string, unknown>): Promise<number[]> {
  const { b } = await started(ctx, probe(...calls.flatMap((c) => ['syscall', ...c])), withSeccomp(seccomp));
  return (await answers<SyscallAnswer>(ctx, b, calls.length, calls.map((c) => c.join(' ')).join(', '))).map((a) => a.errno);
}

/** The errno each call must fail with (0: it must succeed), checked together. */
function expectErrnos(ctx: TestContext, calls: string[][], got: number[], want: number[], why: string): void {
  ctx.expect(
    JSON.stringify(got) === JSON.stringify(want),
    `${why}: ${calls.map((c, i) => `${c[0]} ${want[i] === 0 ? 'succeeds' : `fails with errno ${want[i]}`}`).join(', ')}`,
    Object.fromEntries(calls.map((c, i) => [c.join(' '), got[i]])),
  );
}

/** A runtime call failed, with something said about it (the spec: "print an error and fail"). */
function printedError(ctx: TestContext, r: { stderr: string; stdout: string }, what: string): void {
  ctx.expect(`${r.stderr}${r.stdout}`.trim() !== '', `an error message for ${what}`, 'nothing printed');
}

/** The seccomp agent: the host probe's `listen`, its lines read from a file (never a pipe). */
export interface Agent {
  socket: string;
  child: ChildProcess;
  lines(): Array<Record<string, unknown>>;
  stop(): void;
}

/** Where the agent of a test listens. */
export const agentSocket = (ctx: TestContext) => join(ctx.tmp, 'agent.sock');

export async function startAgent(ctx: TestContext, probePath: string, answer: number): Promise<Agent> {
  const socket = agentSocket(ctx);
  const file = join(ctx.tmp, 'agent.out');
  const fd = openSync(file, 'a+');
  const child = spawn(probePath, ['listen', socket, String(answer)], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const lines = () =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const agent = { socket, child, lines, stop: () => child.kill('SIGKILL') };
  const up = await until(() => lines().some((l) => l.listening === socket));
  if (!up) agent.stop();
  ctx.expect(up, `the seccomp agent (probe listen) listening on ${socket}`, readFileSync(file, 'utf8'));
  return agent;
}

/** The host can make i386 system calls from a 64-bit process (ia32 emulation), as the probe's syscall32 does. */
function hostHasI386(probePath: string): boolean {
  const r = spawnSync(probePath, ['syscall32', 'getpid'], { encoding: 'utf8' });
  try {
    return r.status === 0 && (JSON.parse(r.stdout) as SyscallAnswer).errno === 0;
  } catch {
    return false;
  }
}

const KILLERS = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP'];

/** The seccomp argument operators, on umask's argument, and what each does to umask of 82, 83, 84 and 4. */
const OPERATORS: Array<{ op: string; value: number; valueTwo?: number; blocks: boolean[] }> = [
  { op: 'SCMP_CMP_EQ', value: 83, blocks: [false, true, false, false] },
  { op: 'SCMP_CMP_NE', value: 83, blocks: [true, false, true, true] },
  { op: 'SCMP_CMP_LT', value: 83, blocks: [true, false, false, true] },
  { op: 'SCMP_CMP_LE', value: 83, blocks: [true, true, false, true] },
  { op: 'SCMP_CMP_GT', value: 83, blocks: [false, false, true, false] },
  { op: 'SCMP_CMP_GE', value: 83, blocks: [false, true, true, false] },
  { op: 'SCMP_CMP_MASKED_EQ', value: 4, valueTwo: 4, blocks: [false, false, true, true] },
];
const OPERATOR_ARGS = ['82', '83', '84', '4'];

/** What the agent received on one connection. */
interface Connection {
  connection: number;
  closed: boolean;
  chunks: Array<{ bytes: number; fds: number }>;
  payload: string;
  fds: string[];
}

/** What is wrong with the container process state of one connection (an empty list: nothing). */
function processStateProblems(conn: Connection, want: { id: string; pid: number; bundle: string; metadata: string }): string[] {
  const problems: string[] = [];
  if (!conn.closed) problems.push('the runtime did not close the connection after sending the state (seccomp:4)');
  let state: Record<string, any> | undefined;
  try {
    const v: unknown = JSON.parse(conn.payload);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) state = v as Record<string, any>;
  } catch {
    // not one JSON value
  }
  if (state === undefined) {
    problems.push(`the payload is not one JSON object (one container process state per connection): ${JSON.stringify(conn.payload)}`);
    return problems;
  }
  if (typeof state.ociVersion !== 'string') problems.push(`ociVersion: ${JSON.stringify(state.ociVersion)}`);
  if (state.pid !== want.pid) problems.push(`pid ${JSON.stringify(state.pid)}, not the container process ${want.pid}`);
  if (state.metadata !== want.metadata) problems.push(`metadata ${JSON.stringify(state.metadata)}, not listenerMetadata ${JSON.stringify(want.metadata)}`);
  const s = state.state as Record<string, unknown> | undefined;
  if (s?.id !== want.id || s?.pid !== want.pid || s?.bundle !== want.bundle) problems.push(`state ${JSON.stringify(s)}: not id ${want.id}, pid ${want.pid}, bundle ${want.bundle}`);
  const names = Array.isArray(state.fds) ? (state.fds as unknown[]) : [];
  const at = names.indexOf('seccompFd');
  if (at < 0) problems.push(`fds ${JSON.stringify(state.fds)} does not name seccompFd`);
  else if (conn.fds[at] !== 'anon_inode:seccomp notify') problems.push(`SCM_RIGHTS fd ${at} (seccompFd) is ${JSON.stringify(conn.fds[at])}, not a seccomp notify fd; received ${JSON.stringify(conn.fds)}`);
  if (conn.fds.length !== names.length) problems.push(`${conn.fds.length} fds came over SCM_RIGHTS, fds names ${names.length}`);
  const late = conn.chunks.slice(1).filter((c) => c.fds > 0);
  if (late.length > 0 || (conn.chunks[0]?.fds ?? 0) !== conn.fds.length) problems.push(`fds not all in the first sendmsg: ${JSON.stringify(conn.chunks)}`);
  return problems;
}

/** Starts a container whose getpriority is SCMP_ACT_NOTIFY, with the agent listening; returns what it saw. */
async function withAgent(ctx: TestContext, flags: string[] | undefined, check: (r: { agent: Agent; b: Bundle; id: string; pid: number; calls: SyscallAnswer[] }) => void): Promise<void> {
  const b = bundle(ctx, probe('syscall', 'getpriority', '0', '0', 'syscall', 'uname'), withSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: agentSocket(ctx),
    listenerMetadata: 'oci-conformance metadata',
    ...(flags ? { flags } : {}),
    syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_NOTIFY' }],
  }));
  const agent = await startAgent(ctx, hostProbe(b), 51);
  try {
    const id = ctx.id();
    succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
    const pid = await pidOf(ctx, id);
    succeeded(ctx, await ctx.driver.start(id), 'start');
    const calls = await answers<SyscallAnswer>(ctx, b, 2, 'syscall getpriority, syscall uname');
    await until(() => agent.lines().some((l) => 'notification' in l));
    check({ agent, b, id, pid, calls });
  } finally {
    agent.stop();
  }
}

export const seccompTests = [
  ...perEdition(APPLIED, 'linux.seccomp SCMP_ACT_ERRNO without errnoRet fails the listed system calls (getpriority, chmod) with EPERM; uname still runs', async (ctx: TestContext) => {
    const calls = [['getpriority', '0', '0'], ['chmod', '/tmp', '01777'], ['uname']];
    const rule = ctx.edition === 'draft' ? [{ name: 'getpriority', action: 'SCMP_ACT_ERRNO' }, { name: 'chmod', action: 'SCMP_ACT_ERRNO' }] : [{ names: ['getpriority', 'chmod'], action: 'SCMP_ACT_ERRNO' }];
    const got = await errnos(ctx, calls, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: rule });
    expectErrnos(ctx, calls, got, [EPERM, EPERM, 0], 'the filter of linux.seccomp');
  }),
  ...perEdition({ v1: APPLIED.v1 }, 'seccomp errnoRet is the errno of SCMP_ACT_ERRNO: getpriority fails with 42, mkdir with 95 (two rules)', async (ctx: TestContext) => {
    const calls = [['getpriority', '0', '0'], ['mkdir', '/tmp/d', '0755'], ['uname']];
    const got = await errnos(ctx, calls, {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 },
        { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 95 },
      ],
    });
    expectErrnos(ctx, calls, got, [42, 95, 0], 'errnoRet');
  }),
  ...perEdition(
    { v1: APPLIED.v1 },
    'seccomp defaultAction SCMP_ACT_ERRNO applies to every system call no rule names (getpriority): with defaultErrnoRet 42 it fails with 42, without with EPERM',
    async (ctx: TestContext) => {
      ctx.requires(onX86_64, 'the allow list is of x86_64 system calls');
      const calls = [['getpriority', '0', '0'], ['uname']];
      const allow = [{ names: X86_64_SYSCALLS_BUT_GETPRIORITY, action: 'SCMP_ACT_ALLOW' }];
      const withRet = await errnos(ctx, calls, { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 42, syscalls: allow });
      expectErrnos(ctx, calls, withRet, [42, 0], 'defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 42');
      const without = await errnos(ctx, calls, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: allow });
      expectErrnos(ctx, calls, without, [EPERM, 0], 'defaultAction SCMP_ACT_ERRNO without defaultErrnoRet');
    },
  ),
  ...perEdition({ v1: APPLIED.v1 }, `seccomp actions ${KILLERS.join(', ')} end the process at its getpriority: it prints "before" and nothing after`, async (ctx: TestContext) => {
    const ended = await Promise.all(
      KILLERS.map(async (action) => {
        const { b, id } = await started(ctx, probe('print', 'before', 'syscall', 'getpriority', '0', '0', 'print', 'after'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpriority'], action }] }));
        await untilStopped(ctx, id);
        const out = readFileSync(b.stdoutFile, 'utf8');
        return { action, ok: out.includes('before') && !out.includes('"syscall"') && !out.includes('after'), out };
      }),
    );
    const wrong = ended.filter((e) => !e.ok);
    ctx.expect(wrong.length === 0, 'each of these actions to end the process at getpriority', Object.fromEntries(wrong.map((e) => [e.action, e.out])));
  }),
  ...perEdition({ v1: APPLIED.v1 }, 'seccomp SCMP_ACT_LOG lets the system call run (getpriority succeeds)', async (ctx: TestContext) => {
    const calls = [['getpriority', '0', '0']];
    expectErrnos(ctx, calls, await errnos(ctx, calls, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_LOG' }] }), [0], 'SCMP_ACT_LOG');
  }),
  ...perEdition({ v1: APPLIED.v1 }, 'seccomp SCMP_ACT_TRACE (errnoRet 42) with no tracer attached: getpriority is not run and fails with ENOSYS', async (ctx: TestContext) => {
    const calls = [['getpriority', '0', '0'], ['uname']];
    const got = await errnos(ctx, calls, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_TRACE', errnoRet: 42 }] });
    expectErrnos(ctx, calls, got, [ENOSYS, 0], 'SCMP_ACT_TRACE without a tracer (seccomp(2))');
  }),
  ...perEdition(
    { v1: APPLIED.v1 },
    `seccomp args operators ${OPERATORS.map((o) => o.op.replace('SCMP_CMP_', '')).join(', ')} on umask's argument: each blocks exactly the calls it matches`,
    async (ctx: TestContext) => {
      const calls = OPERATOR_ARGS.map((a) => ['umask', a]);
      const results = await Promise.all(
        OPERATORS.map(async (o) => {
          const arg = { index: 0, value: o.value, op: o.op, ...(o.valueTwo === undefined ? {} : { valueTwo: o.valueTwo }) };
          const got = await errnos(ctx, calls, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ERRNO', errnoRet: 42, args: [arg] }] });
          return { o, got, want: o.blocks.map((b) => (b ? 42 : 0)) };
        }),
      );
      const wrong = results.filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.want));
      ctx.expect(
        wrong.length === 0,
        `umask of ${OPERATOR_ARGS.join(', ')} to fail with 42 exactly where the operator matches (${OPERATORS.map((o) => `${o.op} ${o.value}${o.valueTwo === undefined ? '' : `/${o.valueTwo}`}`).join('; ')})`,
        Object.fromEntries(wrong.map((r) => [r.o.op, { errnos: r.got, want: r.want }])),
      );
    },
  ),
  ...perEdition(
    { v1: APPLIED.v1 },
    'seccomp architectures [SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32]: the rule on umask also applies to the i386 umask (int 0x80)',
    async (ctx: TestContext) => {
      ctx.requires(onX86_64, 'the host is not x86_64');
      const b = bundle(
        ctx,
        probe('syscall', 'umask', '022', 'syscall32', 'umask', '022', 'syscall32', 'getpid'),
        withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 }] }),
      );
      ctx.requires(hostHasI386(hostProbe(b)), 'the host kernel makes no i386 system calls (no ia32 emulation)');
      const id = ctx.id();
      succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
      succeeded(ctx, await ctx.driver.start(id), 'start');
      const got = (await answers<SyscallAnswer>(ctx, b, 3, 'umask, i386 umask, i386 getpid')).map((a) => a.errno);
      ctx.expect(JSON.stringify(got) === JSON.stringify([42, 42, 0]), 'umask and the i386 umask to fail with 42, the i386 getpid to succeed', { umask: got[0], umask_i386: got[1], getpid_i386: got[2] });
    },
  ),
  ...perEdition(
    { v1: APPLIED.v1 },
    'seccomp flags SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW and SECCOMP_FILTER_FLAG_TSYNC: the filter is installed with them (Seccomp 2, getpriority fails with 42)',
    async (ctx: TestContext) => {
      const { b } = await started(
        ctx,
        probe('report', 'syscall', 'getpriority', '0', '0'),
        withSeccomp({
          defaultAction: 'SCMP_ACT_ALLOW',
          flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'],
          syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 }],
        }),
      );
      const [report, call] = await answers<Record<string, unknown>>(ctx, b, 2, 'report, syscall getpriority');
      ctx.expect(report!.seccomp === 2 && (call as unknown as SyscallAnswer).errno === 42, 'Seccomp 2 (a filter) and getpriority failing with 42', { seccomp: report!.seccomp, getpriority: call });
    },
  ),
  ...perEdition({ v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] }, 'an unknown seccomp flag (SECCOMP_FILTER_FLAG_CONFORMANCE) is an error by start at the latest', async (ctx: TestContext) => {
    await refusedByStart(ctx, probe('print', 'user-code-ran'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_CONFORMANCE'] }), 'an error for flag SECCOMP_FILTER_FLAG_CONFORMANCE');
  }),
  ...perEdition({ v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] }, 'an unknown seccomp action (SCMP_ACT_CONFORMANCE) is an error by start at the latest', async (ctx: TestContext) => {
    await refusedByStart(ctx, probe('print', 'user-code-ran'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_CONFORMANCE' }] }), 'an error for action SCMP_ACT_CONFORMANCE');
  }),
  ...perEdition({ v1: ['v1:config-linux:seccomp:1'] }, 'defaultErrnoRet with a defaultAction that takes no errno (SCMP_ACT_ALLOW) is an error, printed', async (ctx: TestContext) => {
    const r = await refusedByStart(ctx, probe('print', 'user-code-ran'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 42 }), 'an error for defaultErrnoRet 42 with defaultAction SCMP_ACT_ALLOW');
    printedError(ctx, r, 'defaultErrnoRet with SCMP_ACT_ALLOW');
  }),
  ...perEdition({ v1: ['v1:config-linux:seccomp:8'] }, 'errnoRet with an action that takes no errno (SCMP_ACT_KILL_PROCESS on getpriority) is an error, printed', async (ctx: TestContext) => {
    const r = await refusedByStart(
      ctx,
      probe('print', 'user-code-ran'),
      withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_KILL_PROCESS', errnoRet: 42 }] }),
      'an error for errnoRet 42 with action SCMP_ACT_KILL_PROCESS',
    );
    printedError(ctx, r, 'errnoRet with SCMP_ACT_KILL_PROCESS');
  }),
  ...perEdition(
    { v1: ['v1:config-linux:seccomp:3', 'v1:config-linux:seccomp:4', 'v1:config-linux:the-container-process-state:1', 'v1:config-linux:the-container-process-state:2'] },
    'seccomp listenerPath: one connection carrying one container process state (JSON; fds by SCM_RIGHTS in the first sendmsg, seccompFd a notify fd), then closed; the agent answers getpriority',
    async (ctx: TestContext) => {
      await withAgent(ctx, undefined, ({ agent, b, id, pid, calls }) => {
        const connections = agent.lines().filter((l) => 'connection' in l) as unknown as Connection[];
        ctx.expect(connections.length === 1, 'exactly one connection to the agent (the connection is not reused, one state per connection)', connections);
        const problems = processStateProblems(connections[0]!, { id, pid, bundle: b.dir, metadata: 'oci-conformance metadata' });
        ctx.expect(problems.length === 0, 'the container process state as config-linux.md says', { problems, received: connections[0] });
        ctx.expect(calls[0]!.errno === 51 && calls[1]!.errno === 0, 'getpriority answered by the agent (errno 51) through the notify fd; uname run', { calls, agent: agent.lines() });
      });
    },
  ),
  ...perEdition(
    { v1: APPLIED.v1 },
    'seccomp flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with a listener: the filter is installed and the agent answers getpriority',
    async (ctx: TestContext) => {
      await withAgent(ctx, ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], ({ agent, calls }) => {
        ctx.expect(calls[0]!.errno === 51 && calls[1]!.errno === 0, 'getpriority answered by the agent (errno 51); uname run', { calls, agent: agent.lines() });
      });
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:seccomp:5'] }, 'seccomp listenerPath where nothing listens: sending the state fails, which is an error', async (ctx: TestContext) => {
    const socket = join(ctx.tmp, 'nobody-listens.sock');
    const b = bundle(ctx, probe('print', 'user-code-ran'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: socket, syscalls: [{ names: ['getpriority'], action: 'SCMP_ACT_NOTIFY' }] }));
    const id = ctx.id();
    const create = await ctx.driver.create(id, b.dir);
    const last = create.code === 0 ? await ctx.driver.start(id) : create;
    ctx.expect(last.code !== 0 && !last.timedOut, `an error: nothing listens on ${socket}`, said(last));
  }),
  ...perEdition({ v1: ['v1:config-linux:seccomp:6', 'v1:config:valid-values:1'] }, 'seccomp listenerMetadata without listenerPath is an invalid value: an error by start at the latest', async (ctx: TestContext) => {
    await refusedByStart(ctx, probe('print', 'user-code-ran'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'no listener' }), 'an error for listenerMetadata without listenerPath');
  }),
  ...perEdition({ v1: ['v1:config-linux:seccomp:7', 'v1:config:valid-values:1'] }, 'a seccomp rule with empty names is an invalid value: an error by start at the latest', async (ctx: TestContext) => {
    await refusedByStart(ctx, probe('print', 'user-code-ran'), withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }), 'an error for syscalls[0].names []');
  }),
];

