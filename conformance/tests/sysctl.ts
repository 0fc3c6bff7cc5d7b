// config-linux.md "Sysctl" (v1.3.0 and the draft): the kernel parameters the container sees in its
// /proc/sys (namespaced ones, so the host keeps its own), and a parameter that does not exist.
import { readFileSync } from 'node:fs';
import type { TestContext } from '../harness/types.ts';
import { answers, refusedByCreate, type ReadAnswer } from './observe.ts';
import { perEdition, probe, started } from './support.ts';

/** Namespaced parameters (network and IPC namespaces, both new in the sample bundles). */
const SYSCTL: Record<string, string> = { 'net.core.somaxconn': '1234', 'kernel.msgmax': '12345' };
const procSys = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`;

export const sysctlTests = [
  ...perEdition(
    { draft: ['draft:runtime:lifecycle:1', 'draft:runtime:create:3'], v1: ['v1:runtime:create:4', 'v1:runtime:lifecycle:1'] },
    "linux.sysctl is applied in the container: net.core.somaxconn 1234 and kernel.msgmax 12345 in its /proc/sys, the host's unchanged",
    async (ctx: TestContext) => {
      const keys = Object.keys(SYSCTL);
      const host = keys.map((k) => readFileSync(procSys(k), 'utf8'));
      const { b } = await started(ctx, probe(...keys.flatMap((k) => ['read', procSys(k)])), (c) => (c.linux!.sysctl = SYSCTL));
      const seen = await answers<ReadAnswer>(ctx, b, keys.length, keys.map((k) => `read ${procSys(k)}`).join(', '));
      const wrong = keys.filter((k, i) => seen[i]!.text?.trim() !== SYSCTL[k]);
      ctx.expect(wrong.length === 0, `the container's ${keys.map((k) => `${k} = ${SYSCTL[k]}`).join(', ')}`, Object.fromEntries(wrong.map((k) => [k, seen[keys.indexOf(k)]])));
      const after = keys.map((k) => readFileSync(procSys(k), 'utf8'));
      ctx.expect(JSON.stringify(after) === JSON.stringify(host), "the host's values unchanged", { before: host, after });
    },
  ),
  ...perEdition(
    { v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2', 'v1:runtime:create:6'] },
    'a sysctl that does not exist (net.core.oci_conformance_nonexistent) cannot be applied: create is an error',
    async (ctx: TestContext) => {
      await refusedByCreate(ctx, probe('print', 'user-code-ran'), (c) => (c.linux!.sysctl = { 'net.core.oci_conformance_nonexistent': '1' }), 'an error for sysctl net.core.oci_conformance_nonexistent');
    },
  ),
];
