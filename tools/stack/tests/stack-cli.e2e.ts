import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../src/proc';

const repoRoot = path.resolve(__dirname, '../../..');

/** A second, throw-away stack on other ports, so this test never touches the stack the suite runs on. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-cli-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  STACK_DIR: dir,
  STACK_KAFKA_PORT: '19092',
  STACK_KAFKA_CONTROLLER_PORT: '19093',
  STACK_MONGO_PORT: '27117',
  STACK_REDIS_PORT: '16379',
  STACK_POSTGRES_PORT: '15432',
  STACK_SMTP_PORT: '11025',
  STACK_MAILDEV_PORT: '11080',
};
delete env.KAFKA_BROKERS;
delete env.MONGO_URL;
delete env.REDIS_URL;
delete env.SMTP_URL;
delete env.STACK_POSTGRES_URL;

function stack(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'tools/run.mjs'), 'stack', ...args], {
      cwd: repoRoot,
      env: { ...env, ...extraEnv },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

const names = ['kafka', 'postgres', 'mongo', 'redis', 'maildev'];
const pids = () => names.map((name) => Number(fs.readFileSync(path.join(dir, `${name}.pid`), 'utf8')));

describe('the stack CLI', () => {
  afterAll(async () => {
    await stack(['down']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should start every service, treat a second up as a no-op, report status and leave nothing behind on down', async () => {
    const first = await stack(['up']);
    expect(first.output).toContain('kafka: started');
    expect(first.code).toBe(0);
    const started = pids();

    const second = await stack(['up']);
    expect(second.code).toBe(0);
    expect(second.output.match(/already running/g)).toHaveLength(names.length);
    expect(pids()).toEqual(started);

    const status = await stack(['status']);
    expect(status.code).toBe(0);
    for (const name of names) expect(status.output).toMatch(new RegExp(`^${name}\\s+UP`, 'm'));

    const down = await stack(['down']);
    expect(down.code).toBe(0);
    expect(started.filter(isAlive)).toEqual([]);

    const after = await stack(['status']);
    expect(after.code).toBe(3);
    expect(after.output).toMatch(/^redis\s+DOWN/m);
  });

  it('should refuse with a clear message when a port is taken by another process', async () => {
    const squatter = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const result = await stack(['up'], { STACK_REDIS_PORT: String(port) });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`port ${port} is already in use by a process this stack did not start`);
    } finally {
      squatter.close();
      await stack(['down']);
    }
  });
});
