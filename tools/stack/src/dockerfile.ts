import path from 'node:path';
import { z } from 'zod';

/**
 * A Dockerfile read into stages and instructions, for tests that do what an image does without a
 * Docker engine (tools/stack/tests/image.e2e.ts) and for deployment checks. Covers what this
 * project's Dockerfile uses; anything else is refused by name rather than misread.
 */
export type Instruction =
  | { op: 'WORKDIR'; path: string }
  | { op: 'ENV'; vars: Record<string, string> }
  | { op: 'COPY'; from?: string; sources: string[]; dest: string }
  | { op: 'RUN'; command: string; cacheMounts: string[] }
  | { op: 'USER'; user: string }
  | { op: 'HEALTHCHECK'; command: string[] }
  | { op: 'CMD'; command: string[] };

export interface Stage {
  name?: string;
  base: string;
  instructions: Instruction[];
}

const execForm = z.array(z.string()).min(1);

/** The exec form (`["node", "x.js"]`); the shell form runs under `sh -c`, as Docker does. */
function command(text: string): string[] {
  if (!text.startsWith('[')) return ['/bin/sh', '-c', text];
  return execForm.parse(JSON.parse(text));
}

/** Leading `--name=value` flags, and what follows them. */
function flags(text: string): { flags: Array<[string, string]>; rest: string } {
  const found: Array<[string, string]> = [];
  let rest = text;
  for (let m = /^--([\w-]+)=(\S+)\s+/.exec(rest); m; m = /^--([\w-]+)=(\S+)\s+/.exec(rest)) {
    found.push([m[1] ?? '', m[2] ?? '']);
    rest = rest.slice(m[0].length);
  }
  return { flags: found, rest };
}

/** `ENV A=1 B="two words"` (the legacy `ENV A 1` form too). */
function envVars(text: string): Record<string, string> {
  if (!text.includes('=')) {
    const [key = '', ...value] = text.split(/\s+/);
    return { [key]: value.join(' ') };
  }
  const vars: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_][\w]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = m[2] ?? '';
    vars[m[1] ?? ''] = raw.startsWith('"') ? z.string().parse(JSON.parse(raw)) : raw;
  }
  return vars;
}

function instruction(op: string, args: string): Instruction {
  switch (op) {
    case 'WORKDIR':
      return { op, path: args };
    case 'ENV':
      return { op, vars: envVars(args) };
    case 'USER':
      return { op, user: args };
    case 'CMD':
      return { op, command: command(args) };
    case 'COPY': {
      const parsed = flags(args);
      const unknown = parsed.flags.filter(([name]) => name !== 'from');
      if (unknown.length > 0) throw new Error(`COPY --${unknown[0]?.[0]} is not supported`);
      const paths = parsed.rest.startsWith('[')
        ? execForm.parse(JSON.parse(parsed.rest))
        : parsed.rest.split(/\s+/);
      const dest = paths.pop();
      if (!dest || paths.length === 0) throw new Error(`COPY needs a source and a destination: ${args}`);
      const from = parsed.flags.find(([name]) => name === 'from')?.[1];
      return { op, sources: paths, dest, ...(from ? { from } : {}) };
    }
    case 'RUN': {
      const parsed = flags(args);
      const cacheMounts = parsed.flags.map(([name, value]) => {
        const opts = new Map(
          value.split(',').map((kv): [string, string] => {
            const [k = '', v = ''] = kv.split('=', 2);
            return [k, v];
          }),
        );
        const target = opts.get('target');
        if (name !== 'mount' || opts.get('type') !== 'cache' || !target)
          throw new Error(`RUN --${name}=${value} is not supported (only cache mounts)`);
        return target;
      });
      return { op, command: parsed.rest, cacheMounts };
    }
    case 'HEALTHCHECK': {
      const { rest } = flags(args);
      const m = /^CMD\s+(.*)$/s.exec(rest);
      if (!m?.[1]) throw new Error(`HEALTHCHECK must be CMD ...: ${args}`);
      return { op, command: command(m[1]) };
    }
    default:
      throw new Error(`Dockerfile instruction ${op} is not supported`);
  }
}

/** Lines joined across `\` continuations, without comments and blank lines. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  if (pending) lines.push(pending);
  return lines;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const m = /^(\w+)\s+(.*)$/s.exec(line);
    if (!m?.[1] || m[2] === undefined) throw new Error(`cannot read Dockerfile line: ${line}`);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from?.[1]) throw new Error(`cannot read FROM ${args}`);
      stages.push({ base: from[1], instructions: [], ...(from[2] ? { name: from[2] } : {}) });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before FROM`);
    stage.instructions.push(instruction(op, args));
  }
  if (stages.length === 0) throw new Error('a Dockerfile needs a FROM');
  return stages;
}

/** A stage's settings as its last instruction leaves them: environment, user, command, health check. */
export function stageConfig(stage: Stage) {
  const env: Record<string, string> = {};
  let user = 'root';
  let cmd: string[] | undefined;
  let healthcheck: string[] | undefined;
  let workdir = '/';
  for (const ins of stage.instructions) {
    if (ins.op === 'ENV') Object.assign(env, ins.vars);
    if (ins.op === 'USER') user = ins.user;
    if (ins.op === 'CMD') cmd = ins.command;
    if (ins.op === 'HEALTHCHECK') healthcheck = ins.command;
    if (ins.op === 'WORKDIR') workdir = ins.path;
  }
  return { env, user, cmd, healthcheck, workdir };
}

/**
 * Where the final stage holds what an earlier stage made at `source` (a path relative to that
 * stage's WORKDIR, e.g. `web/dist`): the container path of its `COPY --from` destination, or
 * undefined when the final stage copies none of it.
 */
export function copiedFromStage(stages: Stage[], source: string): string | undefined {
  const final = stages.at(-1);
  if (!final) return undefined;
  const workdirOf = (stage: Stage) => stageConfig(stage).workdir;
  const finalWorkdir = workdirOf(final);
  for (const ins of final.instructions) {
    if (ins.op !== 'COPY' || ins.from === undefined) continue;
    const from = stages.find((s, i) => s !== final && (s.name ?? String(i)) === ins.from);
    if (!from) continue;
    const wanted = path.posix.resolve(workdirOf(from), source);
    if (ins.sources.some((s) => path.posix.resolve(workdirOf(from), s) === wanted))
      return path.posix.resolve(finalWorkdir, ins.dest);
  }
  return undefined;
}
