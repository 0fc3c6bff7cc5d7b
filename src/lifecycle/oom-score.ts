// oom_score_adj of the container's init, written from the host as runc does: v1.3.0's
// process.oomScoreAdj at start (config.md "Linux Process"), the draft's linux.resources.oomScoreAdj
// at create (spec/draft/config-linux.md "Set oom_score_adj"). Unset: it MUST NOT be changed.
import { writeFileSync } from 'node:fs';
import { OciError } from '../errors.ts';

export function setOomScoreAdj(pid: number, value: number | undefined, field: string): void {
  if (value === undefined) return;
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (err) {
    throw new OciError('syscall', `${field}: cannot set ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
}
