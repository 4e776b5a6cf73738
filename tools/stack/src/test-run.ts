import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, stackDir } from './paths';
import { down, stackEnv, up } from './stack';
import { onStopSignals } from './stop-signals';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let current: ChildProcess | undefined;
let interrupted = false;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: 'inherit' });
    current = child;
    child.on('exit', (code) => {
      current = undefined;
      resolve(code ?? 1);
    });
  });
}

/**
 * Ctrl-C or SIGTERM: the running step is asked to stop (jest's services stop with it: they watch
 * their parent), no further step starts, and the infrastructure this run started is stopped; a second
 * one kills the step at once.
 */
function stopOnSignals(): void {
  onStopSignals(
    () => {
      interrupted = true;
      console.log('\n[test] interrupted: stopping (press Ctrl-C again to force)');
      current?.kill('SIGTERM');
    },
    () => current?.kill('SIGKILL'),
  );
}

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTests: number;
}

/**
 * `npm test`: bring the stack up, type-check, lint, run unit and integration tests against the real
 * services, then stop what this run started. Prints how long set-up and tests took.
 */
export async function runTests(jestArgs: string[]): Promise<number> {
  stopOnSignals();
  const begin = Date.now();
  const started = await up();
  const setupMs = Date.now() - begin + Number(process.env.SETUP_DEPS_MS ?? 0);
  const env = {
    ...process.env,
    ...stackEnv(),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Tests that look at traces turn tracing on for the services they start (tracing.e2e.ts); the
    // rest run untraced, as fast as they can. Its cost is measured by bench:gateway instead.
    OTEL_SDK_DISABLED: process.env.OTEL_SDK_DISABLED ?? 'true',
  };
  const bin = (name: string) => path.join(repoRoot, 'node_modules/.bin', name);
  const resultsFile = path.join(stackDir(), 'jest-results.json');
  fs.rmSync(resultsFile, { force: true });
  const testsBegin = Date.now();
  let code = 0;
  try {
    for (const [name, cmd, args] of [
      ['typecheck', bin('tsc'), ['-p', 'tsconfig.json']],
      // The web client's .vue files need Vue's compiler to type-check.
      ['typecheck web', bin('vue-tsc'), ['-p', 'web/tsconfig.json', '--noEmit']],
      ['typecheck web tests', bin('tsc'), ['-p', 'web/tests/tsconfig.json', '--noEmit']],
      ['lint', bin('eslint'), ['.']],
      ['jest', bin('jest'), ['--runInBand', '--json', `--outputFile=${resultsFile}`, ...jestArgs]],
    ] as const) {
      if (interrupted) {
        code = 130;
        break;
      }
      const stepBegin = Date.now();
      console.log(`\n[test] ${name} ...`);
      const stepCode = await run(cmd, [...args], env);
      console.log(
        `[test] ${name} ${stepCode === 0 ? 'passed' : `failed (exit ${stepCode})`} in ${seconds(Date.now() - stepBegin)}`,
      );
      if (stepCode !== 0) code = stepCode;
    }
  } finally {
    if (started.length > 0) await down(started);
  }
  console.log(
    `\n[test] set-up took ${seconds(setupMs)}, checks and tests took ${seconds(Date.now() - testsBegin)}`,
  );
  if (fs.existsSync(resultsFile)) {
    const s = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as JestSummary;
    console.log(`${s.numPassedTests} passed, ${s.numFailedTests} failed`);
    if (s.numTotalTests === 0) code = code || 1;
  }
  return code;
}
