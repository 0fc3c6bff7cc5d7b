// runtime.md "State" and "Query State" (draft and v1.3.0): what `state <id>` prints, as JSON, and
// the errors for a missing or unknown id.
import { isAbsolute, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { schemaFindings } from '../../src/spec/schema/index.ts';
import type { StateJson, TestContext } from '../harness/types.ts';
import { alive, created, errored, LONG, perEdition, stateOf, succeeded, untilStopped } from './support.ts';

const sameDir = (a: string, b: string) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
};

/**
 * What the v1.3.0 state schema requires of one state object, through the schema written from
 * runtime.md "State" (src/spec/schema/state-v1.schema.json: spec data shared with ocirt's own
 * validation, not runtime code), plus what a schema cannot say: bundle is an absolute path.
 */
function schemaProblems(s: StateJson): string[] {
  const p = schemaFindings(s, 'state-v1').map((f) => `${f.pointer || '/'}: ${f.message}`);
  if (typeof s.bundle === 'string' && !isAbsolute(s.bundle)) p.push('bundle is not an absolute path');
  return p;
}

function expectSchema(ctx: TestContext, s: StateJson, when: string): void {
  const problems = schemaProblems(s);
  ctx.expect(problems.length === 0, `the state of a ${when} container to adhere to the state schema (ociVersion, id, status, pid, bundle; annotations a map of strings)`, `${problems.join('; ')} in ${JSON.stringify(s)}`);
}

const ANNOTATION = { 'org.example.conformance.key': 'value' };

export const stateTests = [
  ...perEdition(
    { draft: ['draft:runtime:state:1', 'draft:runtime:state:3', 'draft:runtime:query-state:3', 'draft:runtime:query-state:4'] },
    'the state of a created container is a JSON object with ociVersion, id, pid (the container process as the host sees it) and bundlePath (the absolute bundle directory)',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, LONG);
      const s = await stateOf(ctx, id);
      ctx.expect(typeof s.ociVersion === 'string' && s.ociVersion !== '', 'state.ociVersion: the OCI specification version used when creating the container (a string)', s);
      ctx.expect(s.id === id, `state.id: the container's ID, ${JSON.stringify(id)}`, s);
      ctx.expect(Number.isInteger(s.pid) && alive(s.pid as number), 'state.pid: the ID of the main process within the container, as seen by the host (a live process)', s);
      ctx.expect(ctx.nsInode(s.pid as number, 'pid') !== ctx.nsInode('self', 'pid'), "state.pid: a process inside the container's new PID namespace", s);
      ctx.expect(typeof s.bundlePath === 'string' && isAbsolute(s.bundlePath) && sameDir(s.bundlePath, b.dir), `state.bundlePath: the absolute path to the container's bundle directory, ${b.dir}`, s);
    },
  ),
  ...perEdition(
    { v1: ['v1:runtime:state:3', 'v1:runtime:state:2', 'v1:runtime:query-state:3'] },
    'the state adheres to the state schema, its status is created, running, then stopped as the container goes, and it carries the bundle directory and annotations',
    async (ctx: TestContext) => {
      const { b, id } = await created(ctx, ['/probe', 'print', 'ready', 'wait-signal'], (c) => (c.annotations = { ...ANNOTATION }));
      const s = await stateOf(ctx, id);
      expectSchema(ctx, s, 'created');
      ctx.expect(s.id === id, `state.id: ${JSON.stringify(id)}`, s);
      ctx.expect(s.status === 'created', 'state.status "created" after create, before start', s);
      ctx.expect(typeof s.bundle === 'string' && sameDir(s.bundle, b.dir), `state.bundle: the absolute path to the bundle directory, ${b.dir}`, s);
      ctx.expect(s.annotations === undefined || s.annotations['org.example.conformance.key'] === 'value', 'state.annotations: the annotations associated with the container (those of config.json)', s);
      succeeded(ctx, await ctx.driver.start(id), 'start');
      await ctx.waitForOutput(b, 'ready');
      const running = await stateOf(ctx, id);
      expectSchema(ctx, running, 'running');
      ctx.expect(running.status === 'running', 'state.status "running" while the user-specified program runs', running);
      succeeded(ctx, await ctx.driver.kill(id, 'TERM'), 'kill TERM');
      await untilStopped(ctx, id);
      const stopped = await stateOf(ctx, id);
      expectSchema(ctx, stopped, 'stopped');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:query-state:2'], v1: ['v1:runtime:query-state:2'] },
    'querying the state of a container that does not exist is an error',
    async (ctx: TestContext) => {
      errored(ctx, await ctx.driver.state(ctx.id()), '`state` of an id no container has to generate an error');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:query-state:1'], v1: ['v1:runtime:query-state:1'] },
    'querying the state without a container ID is an error',
    async (ctx: TestContext) => {
      errored(ctx, await ctx.driver.run(['state']), '`state` with no container ID to generate an error');
    },
  ),
];
