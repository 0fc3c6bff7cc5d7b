// config-linux.md "PIDs": pids.max on v1 and v2 alike. -1 is "max"; 0 is a real limit, as the
// section says it SHOULD be ("0 is a valid limit value ... from the kernel's perspective") and
// runc treats it since 1.4 (earlier runc read 0 as unset).
import type { PlanContext, ResourceWrite } from './cgroup-resources.ts';
import { INT64_MAX, at, given, int, object } from './resources-values.ts';

const F = 'linux.resources.pids';

export function pidsWrites(spec: { limit?: number } | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec) || !given(object(spec, F).limit)) return [];
  const limit = int(spec.limit, `${F}.limit`, -1, INT64_MAX);
  return [at(ctx.site('pids', F), 'pids.max', limit === -1 ? 'max' : limit, `${F}.limit`)];
}
