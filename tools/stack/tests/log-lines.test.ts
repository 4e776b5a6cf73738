import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { stripVTControlCharacters as plain } from 'node:util';
import { serviceLineWriter } from '../src/log-lines';

/** A stand-in for stderr that records what is written, as a terminal or as a pipe. */
function captured(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

const line = JSON.stringify({
  level: 'warn',
  time: '2026-12-02T10:00:00.000Z',
  service: 'trips',
  port: 4003,
  msg: 'slow',
});

describe('service log lines', () => {
  it('keeps the JSON line as written when the output is a pipe or a file', () => {
    const { stream, written } = captured(false);
    serviceLineWriter({}, stream)('trips', line);
    expect(written).toEqual([`[trips] ${line}\n`]);
  });

  it('shows level, message and fields readably in a terminal, with no JSON left', () => {
    const { stream, written } = captured(true);
    serviceLineWriter({}, stream)('trips-2', line);
    const shown = plain(written[0] ?? '');
    expect(shown).toMatch(/^\[trips-2\] \[\d\d:\d\d:\d\d\.\d{3}\] WARN: slow/);
    expect(shown).toContain('{"port":4003}');
    expect(shown).not.toContain('{"level"');
  });

  it('keeps JSON in a terminal with LOG_FORMAT=json, and passes non-JSON lines through', () => {
    const { stream, written } = captured(true);
    const write = serviceLineWriter({ LOG_FORMAT: 'json' }, stream);
    write('gateway', line);
    expect(written).toEqual([`[gateway] ${line}\n`]);
    const tty = captured(true);
    serviceLineWriter({}, tty.stream)('kafka', 'plain text');
    expect(plain(tty.written[0] ?? '')).toBe('[kafka] plain text\n');
  });
});

describe('service logger', () => {
  // The logger writes to the process's stderr: run it in a child and read what it wrote.
  const run = (code: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
      cwd: path.join(__dirname, '../../..'),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    })
      .stderr.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes one JSON line per call with level name, time, service, fields and message', () => {
    const [first] = run("require('@rideshare/common').createLogger('trips').warn('slow query', { ms: 12 })");
    expect(first).toMatchObject({ level: 'warn', service: 'trips', ms: 12, msg: 'slow query' });
    expect(Number.isNaN(Date.parse(String(first?.time)))).toBe(false);
  });

  it('filters by LOG_LEVEL but always writes notice lines', () => {
    const lines = run(
      "const l = require('@rideshare/common').createLogger('x'); l.info('hidden'); l.error('shown'); l.notice('listening', { port: 1 })",
      { LOG_LEVEL: 'error' },
    );
    expect(lines.map((l) => l.msg)).toEqual(['shown', 'listening']);
    expect(lines[1]).toMatchObject({ level: 'notice', port: 1 });
  });
});
