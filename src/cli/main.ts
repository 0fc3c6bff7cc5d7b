// ocirt's entry point: parse, dispatch, and turn an error into one line and an exit code.
import { OciError } from '../errors.ts';
import { runtimeAt } from '../lifecycle/runtime.ts';
import { defaultRoot } from '../state/root.ts';
import { dispatch } from './dispatch.ts';
import { globalsOf, parseArgs, USAGE, type Invocation } from './grammar.ts';
import { reportDebug, reportError, reportWarning } from './log.ts';
import { printOut } from './output.ts';

const VERSION = '0.1.0';

function exitCodeOf(err: unknown): number {
  return err instanceof OciError && err.code === 'usage' ? 2 : 1;
}

async function execute(inv: Invocation): Promise<number> {
  const c = inv.command;
  if (c.name === 'help') return printOut(USAGE), 0;
  if (c.name === 'version') return printOut(`ocirt version ${VERSION}\nspec: 1.3.0 and the create/start draft (0.6.0-dev)`), 0;
  const rt = runtimeAt(inv.globals.root ?? defaultRoot(), (m) => reportWarning(inv.globals, m), (m) => reportDebug(inv.globals, m));
  const code = await dispatch(rt, c);
  if (code === undefined) throw new OciError('usage', `${c.name}: not available in this version of ocirt`);
  return code;
}

export async function main(argv: string[]): Promise<number> {
  let inv: Invocation | undefined;
  try {
    inv = parseArgs(argv);
    return await execute(inv);
  } catch (err) {
    reportError(inv?.globals ?? globalsOf(argv) ?? { logFormat: 'text', debug: argv.includes('--debug') }, err);
    return exitCodeOf(err);
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
