// config.md's top-level fields (draft and v1.3.0): hostname (and v1.3.0's domainname) applied at
// create, unknown properties ignored ("Extensibility"), and invalid values — an ociVersion that is
// not SemVer, an empty annotation key, an annotation value that is not a string — refused ("Valid
// values").
import type { TestContext } from '../harness/types.ts';
import { absent, bundle, errored, perEdition, probe, started, type Cfg } from './support.ts';

async function refused(ctx: TestContext, edit: (c: Cfg) => void, expected: string): Promise<void> {
  const b = bundle(ctx, probe('report'), edit);
  const id = ctx.id();
  errored(ctx, await ctx.driver.create(id, b.dir), expected);
  await absent(ctx, id, 'no container made by the failed create');
}

export const configTests = [
  ...perEdition(
    {
      draft: ['draft:runtime:lifecycle:1', 'draft:runtime:create:3'],
      v1: ['v1:runtime:lifecycle:1', 'v1:runtime:create:4'],
    },
    'the container has the hostname config.json gives',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => (c.hostname = 'conformance-host'));
      const r = await ctx.probeReport(b);
      ctx.expect(r.hostname === 'conformance-host', 'hostname "conformance-host"', r.hostname);
    },
  ),
  ...perEdition({ v1: ['v1:runtime:lifecycle:1', 'v1:runtime:create:4'] }, 'the container has the domainname config.json gives (a v1.1.0 field)', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('report'), (c) => (c.domainname = 'conformance.example'));
    const r = await ctx.probeReport(b);
    ctx.expect(r.domainname === 'conformance.example', 'domainname "conformance.example"', r.domainname);
  }),
  ...perEdition(
    { v1: ['v1:config:extensibility:1', 'v1:config:annotations:14'] },
    'unknown properties (top level, in process, in linux) and unknown annotation keys are ignored: the container runs',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('report'), (c) => {
        c['org.example.conformance'] = { anything: [1, 2, 3] };
        c.process!['org.example.conformance'] = 'ignored';
        c.linux!['org.example.conformance'] = true;
        c.annotations = { 'org.example.conformance.unknown-key': 'value' };
      });
      const r = await ctx.probeReport(b);
      ctx.expect(r.pid === 1, 'the container to run as if the unknown properties were absent', r.pid);
    },
  ),
  ...perEdition(
    { v1: ['v1:config:specification-version:1', 'v1:config:valid-values:1'] },
    'an ociVersion that is not SemVer ("not-a-version") is an invalid value and an error',
    async (ctx: TestContext) => {
      await refused(ctx, (c) => (c.ociVersion = 'not-a-version'), 'an error for ociVersion "not-a-version" (it MUST be SemVer 2.0.0)');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:annotations:3', 'v1:config:valid-values:1'] },
    'an annotation whose key is the empty string is an invalid value and an error',
    async (ctx: TestContext) => {
      await refused(ctx, (c) => (c.annotations = { '': 'value' }), 'an error for an annotation key "" (keys MUST NOT be empty)');
    },
  ),
  ...perEdition(
    { v1: ['v1:config:annotations:15', 'v1:config:valid-values:1'] },
    'an annotation whose value is not a string (a number) is an invalid value and an error',
    async (ctx: TestContext) => {
      await refused(ctx, (c) => (c.annotations = { 'org.example.conformance': 42 }), 'an error for an annotation value 42 (values MUST be strings)');
    },
  ),
];
