// config-linux.md "Huge page limits" on hugetlb: hugetlb.<size>.limit_in_bytes (v1) or
// hugetlb.<size>.max (v2), and the reservation limit beside it where the kernel has one
// (hugetlb.<size>.rsvd.*, Linux 5.7), since the section asks for reservation accounting "if
// supported by the kernel"; runc writes both the same way.
import { specError } from '../errors.ts';
import type { HugepageLimit, PlanContext, ResourceWrite, Site } from './cgroup-resources.ts';
import { array, at, given, int, object, str } from './resources-values.ts';

const F = 'linux.resources.hugepageLimits';

export function hugetlbWrites(spec: HugepageLimit[] | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec) || array(spec, F).length === 0) return [];
  const site = ctx.site('hugetlb', F);
  const sizes = hostSizes(site, ctx);
  const [plain, rsvd] = site.version === 1 ? ['limit_in_bytes', 'rsvd.limit_in_bytes'] : ['max', 'rsvd.max'];
  return spec.flatMap((entry, i) => {
    const field = `${F}[${i}]`;
    const o = object(entry, field);
    const size = str(o.pageSize, `${field}.pageSize`);
    if (!sizes.includes(size)) {
      throw specError(`${field}.pageSize: ${JSON.stringify(size)} is not a huge page size of this host (it has ${sizes.join(', ') || 'none'})`);
    }
    const limit = int(o.limit, `${field}.limit`, 0);
    return [at(site, `hugetlb.${size}.${plain}`, limit, `${field}.limit`), at(site, `hugetlb.${size}.${rsvd}`, limit, `${field}.limit`, { optional: true })];
  });
}

/**
 * The sizes the host has, spelt as the kernel spells them in hugetlb file names (mem_fmt in
 * mm/hugetlb_cgroup.c): from /sys/kernel/mm/hugepages, and from the directory's own files (a v2
 * directory has none until hugetlb is enabled above it).
 */
function hostSizes(site: Site, ctx: PlanContext): string[] {
  const sysfs = ctx.names(ctx.hugepagesDir).flatMap((n) => {
    const kb = /^hugepages-(\d+)kB$/.exec(n)?.[1];
    return kb === undefined ? [] : [sizeName(Number(kb))];
  });
  const files = ctx.names(site.dir).flatMap((n) => /^hugetlb\.(\d+[KMG]B)\.(limit_in_bytes|max)$/.exec(n)?.[1] ?? []);
  return [...new Set([...sysfs, ...files])].sort((a, b) => bytes(a) - bytes(b));
}

const bytes = (size: string) => parseInt(size, 10) * 1024 ** (1 + 'KMG'.indexOf(size.at(-2) ?? 'K'));

const sizeName = (kb: number) => (kb >= 1 << 20 ? `${Math.floor(kb / (1 << 20))}GB` : kb >= 1 << 10 ? `${Math.floor(kb / (1 << 10))}MB` : `${kb}KB`);
