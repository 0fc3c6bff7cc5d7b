// config.md "Process" and "User": the steps the init runs once start releases it, ending in exec.
import { specError } from '../errors.ts';
import type { Process } from '../spec/config.ts';
import type { Step } from './wire.ts';

const isId = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

function checkProcess(p: Process | undefined): asserts p is Process {
  if (p === undefined || p === null || typeof p !== 'object') throw specError('process: required to start a container');
  if (!Array.isArray(p.args) || p.args.length === 0) throw specError('process.args: must name at least the program to run');
  if (typeof p.cwd !== 'string' || !p.cwd.startsWith('/')) throw specError('process.cwd: must be an absolute path');
  if (!p.user || !isId(p.user.uid)) throw specError('process.user.uid: must be an integer from 0 to 4294967295');
  if (!isId(p.user.gid)) throw specError('process.user.gid: must be an integer from 0 to 4294967295');
  (p.user.additionalGids ?? []).forEach((g, i) => {
    if (!isId(g)) throw specError(`process.user.additionalGids[${i}]: must be an integer from 0 to 4294967295`);
  });
  (p.env ?? []).forEach((e, i) => {
    if (typeof e !== 'string' || !e.includes('=')) throw specError(`process.env[${i}]: must be "KEY=value"`);
  });
}

export function processSteps(p: Process | undefined): Step[] {
  checkProcess(p);
  const u = p.user;
  return [
    { op: 'SETGROUPS', args: u.additionalGids ?? [], label: 'process.user.additionalGids' },
    { op: 'SETRESGID', args: [u.gid], label: 'process.user.gid' },
    { op: 'SETRESUID', args: [u.uid], label: 'process.user.uid' },
    { op: 'UMASK', args: [u.umask ?? 0o022], label: 'process.user.umask' },
    { op: 'ENV', args: p.env ?? [], label: 'process.env' },
    { op: 'CHDIR', args: [p.cwd], label: `process.cwd (${p.cwd})` },
    { op: 'EXEC', args: p.args, label: `process.args[0] (${p.args[0]})` },
  ];
}
