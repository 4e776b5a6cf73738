import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../src/paths';

// `npm start` refuses settings it cannot honour before it starts anything: one line naming the
// setting, exit code 1.

function start(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'tools/run.mjs'), 'start', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('npm start settings', () => {
  it('refuses a gateway port that browsers will not open (the web app is served on it)', async () => {
    const { code, output } = await start({ STACK_APP_PORT: '6000' });
    expect(code).toBe(1);
    expect(output).toContain('STACK_APP_PORT=6000 puts a gateway on 6000, a port browsers refuse to open');
    expect(output).not.toContain('started');
    const replica = await start({ STACK_APP_PORT: '5800' }, ['--replicas', '2']);
    expect(replica.code).toBe(1);
    expect(replica.output).toContain('STACK_APP_PORT=5800 puts a gateway on 6000');
  });

  it('refuses a replica count out of range', async () => {
    const { code, output } = await start({}, ['--replicas', '0']);
    expect(code).toBe(1);
    expect(output).toContain('--replicas (or STACK_REPLICAS) must be a whole number from 1 to 8, got "0"');
  });
});
