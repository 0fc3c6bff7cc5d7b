// config-linux.md "Memory" on the memory controller. v1: memory.limit_in_bytes and
// memory.memsw.limit_in_bytes in the order the kernel accepts (runc's rule), soft limit, OOM
// switch, swappiness, hierarchy. v2: memory.swap.max (swap − limit), memory.max, memory.low, in
// runc's order. Kernel memory limits are deprecated: written only where the kernel still has the
// file, else ignored with a warning, as runc ignores them. 0 means unset for the limits, as in runc.
import { OciError, specError } from '../errors.ts';
import type { LinuxMemory, PlanContext, ResourceWrite, Site } from './cgroup-resources.ts';
import { memorySwapToV2, v2Limit } from './resources-convert.ts';
import { at, bool, bytesOrUnlimited, given, int, noV2, object } from './resources-values.ts';

const F = 'linux.resources.memory';

interface Memory {
  limit: number;
  reservation: number;
  swap: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate: boolean;
}

export function memoryWrites(spec: LinuxMemory | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const m = checked(spec);
  const asks = m.limit || m.reservation || m.swap || m.disableOOMKiller || [m.kernel, m.kernelTCP, m.swappiness, m.useHierarchy].some(given);
  if (!asks) return [];
  const site = ctx.site('memory', F);
  if (ctx.update && m.checkBeforeUpdate) checkUsage(m, site, ctx);
  return site.version === 1 ? v1Writes(m, site, ctx) : v2Writes(m, site, ctx);
}

function checked(spec: LinuxMemory): Memory {
  const o = object(spec, F);
  const opt = <T>(k: string, f: (v: unknown, field: string) => T) => (given(o[k]) ? f(o[k], `${F}.${k}`) : undefined);
  return {
    limit: opt('limit', bytesOrUnlimited) ?? 0,
    reservation: opt('reservation', bytesOrUnlimited) ?? 0,
    swap: opt('swap', bytesOrUnlimited) ?? 0,
    kernel: opt('kernel', bytesOrUnlimited),
    kernelTCP: opt('kernelTCP', bytesOrUnlimited),
    swappiness: opt('swappiness', (v, f) => int(v, f, 0, 100)),
    disableOOMKiller: opt('disableOOMKiller', bool) ?? false,
    useHierarchy: opt('useHierarchy', bool),
    checkBeforeUpdate: opt('checkBeforeUpdate', bool) ?? false,
  };
}

/**
 * config-linux.md "Memory": with checkBeforeUpdate the runtime "MUST reject the new limit" below
 * the current usage (v1's kernel refuses it anyway; v2 would OOM-kill instead). runc's check: a
 * limit or memory+swap not above the usage; an unreadable usage skips it (best effort, as runc).
 */
function checkUsage(m: Memory, site: Site, ctx: PlanContext): void {
  const usage = Number(ctx.read(site.dir, site.version === 1 ? 'memory.usage_in_bytes' : 'memory.current') ?? NaN);
  if (!Number.isFinite(usage)) return;
  for (const [name, v] of [['limit', m.limit], ['swap', m.swap]] as const) {
    if (v > 0 && v <= usage) throw new OciError('cgroup', `${F}.${name}: ${v} is not above the current usage of ${usage} bytes (checkBeforeUpdate)`);
  }
}

function v1Writes(m: Memory, site: Site, ctx: PlanContext): ResourceWrite[] {
  const out = [...limitAndSwapV1(m, site, ctx), ...kernelWrites(m, site, ctx)];
  if (m.reservation) out.push(at(site, 'memory.soft_limit_in_bytes', m.reservation, `${F}.reservation`));
  if (m.disableOOMKiller) out.push(at(site, 'memory.oom_control', '1', `${F}.disableOOMKiller`));
  if (given(m.swappiness)) out.push(at(site, 'memory.swappiness', m.swappiness, `${F}.swappiness`));
  if (given(m.useHierarchy)) out.push(at(site, 'memory.use_hierarchy', m.useHierarchy ? '1' : '0', `${F}.useHierarchy`));
  return out;
}

/**
 * The kernel keeps memsw ≥ limit at every step, so runc writes memsw first when it grows past the
 * current limit (or becomes unlimited), else the limit first. An unlimited limit with swap unset
 * also unlimits memsw where swap accounting exists, as runc does.
 */
function limitAndSwapV1(m: Memory, site: Site, ctx: PlanContext): ResourceWrite[] {
  const memsw = 'memory.memsw.limit_in_bytes';
  const implicit = m.limit === -1 && m.swap === 0 && ctx.exists(site.dir, memsw);
  const swap = implicit ? -1 : m.swap;
  const limitW = m.limit ? at(site, 'memory.limit_in_bytes', m.limit, `${F}.limit`) : undefined;
  const swapW = swap ? at(site, memsw, swap, implicit ? `${F}.limit` : `${F}.swap`) : undefined;
  if (limitW && swapW) {
    const current = Number(ctx.read(site.dir, 'memory.limit_in_bytes') ?? NaN);
    if (swap === -1 || current < swap) return [swapW, limitW];
  }
  return [limitW, swapW].filter((w): w is ResourceWrite => w !== undefined);
}

function kernelWrites(m: Memory, site: Site, ctx: PlanContext): ResourceWrite[] {
  const out: ResourceWrite[] = [];
  for (const [key, file] of [['kernel', 'memory.kmem.limit_in_bytes'], ['kernelTCP', 'memory.kmem.tcp.limit_in_bytes']] as const) {
    const v = m[key];
    if (!v) continue;
    const field = `${F}.${key}`;
    if (site.version === 1 && ctx.exists(site.dir, file)) out.push(at(site, file, v, field));
    else if (site.version === 1) ctx.warn(`${field}: ignored: this kernel has no ${file} (kernel memory limits are deprecated; runc ignores them)`);
    else ctx.warn(`${field}: ignored: cgroup v2 has no separate kernel memory limit (memory.max counts it), as runc ignores it`);
  }
  return out;
}

function v2Writes(m: Memory, site: Site, ctx: PlanContext): ResourceWrite[] {
  if (given(m.swappiness)) throw noV2(`${F}.swappiness`, 'v2 has no per-cgroup swappiness');
  if (m.disableOOMKiller) throw noV2(`${F}.disableOOMKiller`, 'v2 cannot switch the OOM killer off for a cgroup');
  if (m.useHierarchy === false) throw noV2(`${F}.useHierarchy`, 'v2 accounting is always hierarchical');
  return [
    ...swapV2(m, site),
    ...(m.limit ? [at(site, 'memory.max', v2Limit(m.limit), `${F}.limit`)] : []),
    ...(m.reservation ? [at(site, 'memory.low', v2Limit(m.reservation), `${F}.reservation`)] : []),
    ...kernelWrites(m, site, ctx),
  ];
}

/**
 * memory.swap.max before memory.max, as runc writes them. An empty value is never written (it
 * would mean 0); swap equal to the limit is "0": no swap. A missing memory.swap.max (no swap
 * accounting) is skipped for "max" and "0", which ask for nothing it could refuse (runc 1.2).
 */
function swapV2(m: Memory, site: Site): ResourceWrite[] {
  let v: number;
  try {
    v = memorySwapToV2(m.swap, m.limit);
  } catch (err) {
    throw specError(`${F}.swap: ${(err as Error).message}`);
  }
  const value = v === -1 ? 'max' : v > 0 ? String(v) : m.swap > 0 ? '0' : undefined;
  if (value === undefined) return [];
  const field = m.swap === 0 ? `${F}.limit` : `${F}.swap`;
  return [at(site, 'memory.swap.max', value, field, value === 'max' || value === '0' ? { optional: true } : {})];
}
