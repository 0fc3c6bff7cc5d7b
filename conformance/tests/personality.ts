// config-linux.md "Personality" (v1.3.0): the execution domain of the container process, as
// personality(0xffffffff) and uname's machine show it (LINUX32: a 32-bit machine, i686 on x86_64),
// and the values the spec does not define (an unknown domain, any flag) refused.
import type { TestContext } from '../harness/types.ts';
import { answers, onX86_64, refusedByStart } from './observe.ts';
import { perEdition, probe, started } from './support.ts';

const PER_LINUX = 0x0000;
const PER_LINUX32 = 0x0008;
const PER_MASK = 0x00ff;

interface Persona {
  persona: number;
  machine: string;
}

async function personaOf(ctx: TestContext, personality: Record<string, unknown>): Promise<Persona> {
  const { b } = await started(ctx, probe('personality'), (c) => (c.linux!.personality = personality));
  return (await answers<Persona>(ctx, b, 1, 'personality'))[0]!;
}

export const personalityTests = [
  ...perEdition({ v1: ['v1:runtime:create:4', 'v1:runtime:lifecycle:1'] }, 'linux.personality domain LINUX32: the process has PER_LINUX32 and uname shows i686', async (ctx: TestContext) => {
    ctx.requires(onX86_64, 'i686 is what LINUX32 shows on x86_64 hosts');
    const p = await personaOf(ctx, { domain: 'LINUX32' });
    ctx.expect((p.persona & PER_MASK) === PER_LINUX32 && p.machine === 'i686', 'persona PER_LINUX32 (8) and machine i686', p);
  }),
  ...perEdition({ v1: ['v1:runtime:create:4', 'v1:runtime:lifecycle:1'] }, "linux.personality domain LINUX: the process has PER_LINUX and uname shows the host's machine", async (ctx: TestContext) => {
    const p = await personaOf(ctx, { domain: 'LINUX' });
    const host = onX86_64 ? 'x86_64' : p.machine;
    ctx.expect((p.persona & PER_MASK) === PER_LINUX && p.machine === host, `persona PER_LINUX (0) and machine ${host}`, p);
  }),
  ...perEdition({ v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] }, 'linux.personality domain LINUX64 (not a domain the spec lists) is an error by start at the latest', async (ctx: TestContext) => {
    await refusedByStart(ctx, probe('print', 'user-code-ran'), (c) => (c.linux!.personality = { domain: 'LINUX64' }), 'an error for personality domain LINUX64');
  }),
  ...perEdition(
    { v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] },
    'linux.personality flags ["ADDR_NO_RANDOMIZE"] (the spec supports no flag values) is an error by start at the latest',
    async (ctx: TestContext) => {
      await refusedByStart(ctx, probe('print', 'user-code-ran'), (c) => (c.linux!.personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] }), 'an error for personality flag ADDR_NO_RANDOMIZE');
    },
  ),
];
