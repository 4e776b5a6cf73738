import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDockerfile, stageConfig, type Instruction, type Stage } from './dockerfile';

/**
 * Builds a Dockerfile's image without a Docker engine: each stage in a directory of its own that
 * stands for its WORKDIR, COPY from the build context (a list of files) or from an earlier stage,
 * RUN under `sh -c` there with the stage's ENV. What it cannot do: switch users or base images (the
 * steps run as us, with this machine's node and npm). tools/stack/tests/image.e2e.ts uses it.
 */
export interface BuildOptions {
  dockerfile: string;
  /** The build context: a directory and the files of it that Docker would send. */
  contextDir: string;
  contextFiles: string[];
  /** Where the stages are built (one directory each). */
  outDir: string;
  /**
   * A checkout whose node_modules a full `npm ci` may reuse (hard links) when the stage's lock file is
   * that checkout's: the same lock file installs the same tree, minutes faster. An install without
   * dev dependencies (`--omit=dev`, NODE_ENV=production) always runs for real.
   */
  installedCheckout?: string;
  log?: (line: string) => void;
}

export interface BuiltImage {
  /** The final stage's WORKDIR, where its command runs. */
  root: string;
  config: ReturnType<typeof stageConfig>;
  stages: Stage[];
}

interface BuiltStage {
  name: string;
  dir: string;
  workdir: string;
}

/** Where a container path of a stage is on this machine: only paths under its WORKDIR exist here. */
function hostPath(stage: BuiltStage, containerPath: string): string {
  const abs = path.posix.resolve(stage.workdir, containerPath);
  const rel = path.posix.relative(stage.workdir, abs);
  if (rel.startsWith('..')) throw new Error(`${containerPath} is outside WORKDIR ${stage.workdir}`);
  return path.join(stage.dir, rel);
}

function walk(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(prefix, e.name);
    return e.isDirectory() ? walk(path.join(dir, e.name), rel) : [rel];
  });
}

/** Docker's COPY: a file lands in `dest/` by name (or as `dest`); a directory's contents under `dest`. */
function copy(files: string[], fromDir: string, source: string, dest: string): number {
  const src = path.posix.normalize(source);
  const exact = files.includes(src);
  const under = src === '.' ? files : files.filter((f) => f.startsWith(`${src}/`));
  if (!exact && under.length === 0) throw new Error(`COPY ${source}: no such file in the context`);
  const pairs: Array<[string, string]> = exact
    ? [[src, dest.endsWith('/') ? path.join(dest, path.basename(src)) : dest]]
    : under.map((f) => [f, path.join(dest, src === '.' ? f : path.relative(src, f))]);
  for (const [from, to] of pairs) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(path.join(fromDir, from), to, { dereference: false });
  }
  return pairs.length;
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`RUN ${command} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

const localNpmCache = () =>
  process.env.npm_config_cache ?? path.join(process.env.HOME ?? os.homedir(), '.npm');

/** A full install the checkout's tree stands for: `npm ci` that keeps dev dependencies. */
function reusableInstall(command: string, env: Record<string, string>, stageDir: string, checkout?: string) {
  if (!checkout || !/^npm ci(\s+--no-(audit|fund))*$/.test(command.trim())) return false;
  if (env.NODE_ENV === 'production') return false; // npm leaves dev dependencies out
  const lock = (dir: string) => fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  return (
    fs.existsSync(path.join(checkout, 'node_modules', '.package-lock.json')) &&
    lock(stageDir) === lock(checkout)
  );
}

async function run(
  ins: Extract<Instruction, { op: 'RUN' }>,
  stage: BuiltStage,
  env: Record<string, string>,
  opts: BuildOptions,
) {
  const cwd = stage.dir;
  if (reusableInstall(ins.command, env, cwd, opts.installedCheckout) && opts.installedCheckout) {
    opts.log?.(`[image] RUN ${ins.command}: the checkout's install, hard-linked`);
    await sh(
      `cp -al "${opts.installedCheckout}/node_modules" . || cp -a "${opts.installedCheckout}/node_modules" .`,
      cwd,
      process.env,
    );
    return;
  }
  // A cache mount at npm's cache is this machine's npm cache: outside the image, reused by builds.
  const npmCache = ins.cacheMounts.includes('/root/.npm')
    ? localNpmCache()
    : path.join(opts.outDir, 'npm-cache');
  opts.log?.(`[image] RUN ${ins.command}`);
  await sh(ins.command, cwd, {
    PATH: process.env.PATH ?? '',
    HOME: path.join(opts.outDir, 'home'),
    npm_config_cache: npmCache,
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    ...env,
  });
}

export async function buildImage(opts: BuildOptions): Promise<BuiltImage> {
  const stages = parseDockerfile(fs.readFileSync(opts.dockerfile, 'utf8'));
  const built: BuiltStage[] = [];
  for (const [index, stage] of stages.entries()) {
    const current: BuiltStage = {
      name: stage.name ?? String(index),
      dir: path.join(opts.outDir, `stage-${index}`),
      workdir: '/',
    };
    fs.mkdirSync(current.dir, { recursive: true });
    const env: Record<string, string> = {};
    let filled = false;
    for (const ins of stage.instructions) {
      // The stage's directory stands for its WORKDIR: one WORKDIR, set before any file lands.
      if (ins.op === 'WORKDIR' && filled) throw new Error('WORKDIR after COPY or RUN is not supported');
      if (ins.op === 'COPY' || ins.op === 'RUN') filled = true;
      if (ins.op === 'WORKDIR') current.workdir = path.posix.resolve(current.workdir, ins.path);
      if (ins.op === 'ENV') Object.assign(env, ins.vars);
      if (ins.op === 'RUN') await run(ins, current, env, opts);
      if (ins.op !== 'COPY') continue;
      const from = ins.from === undefined ? undefined : built.find((s) => s.name === ins.from);
      if (ins.from !== undefined && !from) throw new Error(`COPY --from=${ins.from}: no such stage`);
      for (const source of ins.sources) {
        const dest = hostPath(current, ins.dest) + (ins.dest.endsWith('/') ? '/' : '');
        if (!from) copy(opts.contextFiles, opts.contextDir, source, dest);
        else {
          const src = hostPath(from, source);
          copy(walk(src), src, '.', dest);
        }
      }
    }
    built.push(current);
  }
  const last = built.at(-1);
  const finalStage = stages.at(-1);
  if (!last || !finalStage) throw new Error('no stages');
  return { root: last.dir, config: stageConfig(finalStage), stages };
}
