import { stackCli } from './cli';
import { startSystem } from './start';
import { runTests } from './test-run';

/** Dispatches `start`, `test` and `stack ...` (see tools/run.mjs). */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'stack') return stackCli(rest);
  if (command === 'test') return runTests(rest);
  if (command === 'start') return startSystem(rest);
  console.error('usage: node tools/run.mjs start | test | stack <up|down|status|logs>');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[error] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
