import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { repoRoot } from '../src/paths';

// The GitHub workflow must run what the README and .ci/run call the tests, nothing more or less.
const step = z.object({
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
const workflowSchema = z.object({
  on: z.object({ push: z.unknown(), pull_request: z.unknown() }),
  jobs: z.record(z.string(), z.object({ 'runs-on': z.string(), steps: z.array(step) })),
});

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');
const workflow = workflowSchema.parse(parse(read('.github/workflows/ci.yml')));
const jobs = Object.values(workflow.jobs);
const uses = (action: string) => jobs.flatMap((j) => j.steps).filter((s) => s.uses?.startsWith(`${action}@`));

/** The README's test command: the `npm test` line of "The two commands", which it says CI runs. */
function readmeTestCommand(): string {
  const readme = read('README.md');
  const block = /## The two commands\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const line = block.split('\n').find((l) => /^npm test\b/.test(l)) ?? '';
  return line.replace(/#.*/, '').trim();
}

describe('.github/workflows/ci.yml', () => {
  const command = readmeTestCommand();

  it("should run exactly the README's test command, as .ci/run does", () => {
    expect(command).toBe('npm test');
    // The README's own statement of what CI runs names the same command.
    expect(read('README.md')).toContain(`CI (\`.ci/run\`) runs exactly \`${command}\``);
    const ciRun = read('.ci/run')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ciRun).toContain(command);
    const runs = jobs.flatMap((j) => j.steps).flatMap((s) => (s.run ? [s.run.trim()] : []));
    expect(runs.filter((r) => r.includes('npm test'))).toEqual([command]);
  });

  it('should test on a clean runner with Node 20, Java 17 and Go, caching the downloads', () => {
    const test = jobs.find((j) => j.steps.some((s) => s.run?.trim() === command));
    expect(test?.['runs-on']).toBe('ubuntu-latest');
    expect(uses('actions/setup-node').map((s) => String(s.with?.['node-version']))).toEqual(['20']);
    expect(uses('actions/setup-java').map((s) => String(s.with?.['java-version']))).toEqual(['17']);
    expect(uses('actions/setup-go')).toHaveLength(1);
    expect(
      uses('actions/cache')
        .map((s) => s.with?.path)
        .sort(),
    ).toEqual(['~/.cache/rideshare-federation', '~/.npm']);
  });

  it('should build the Dockerfile in a job of its own', () => {
    const image = jobs.filter((j) => j.steps.some((s) => /^docker build\b/.test(s.run?.trim() ?? '')));
    expect(image).toHaveLength(1);
    const build = image[0]?.steps.find((s) => s.run?.includes('docker build'))?.run ?? '';
    expect(build).toMatch(/--file Dockerfile\b/);
    expect(build.trim().endsWith(' .')).toBe(true);
    expect(fs.existsSync(path.join(repoRoot, 'Dockerfile'))).toBe(true);
  });
});
