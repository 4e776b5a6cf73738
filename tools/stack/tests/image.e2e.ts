import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readInfraConfig } from '@rideshare/common';
import { buildImage, type BuiltImage } from '../src/image-build';
import { builtServices, jobNames, readCompose, serviceEnv, startLevels } from '../src/compose-file';
import { copiedFromStage } from '../src/dockerfile';
import { repoRoot } from '../src/paths';
import { adminAuthorization, seedDrivers } from '../src/seed';
import { webDist } from '../src/web-build';
import { containerEnv, dropIsolation, imagePath, startContainer, type Container } from './image-containers';

/**
 * The image as Docker would build and run it, without Docker: the Dockerfile's stages are carried out
 * on the repository's files (image-build.ts), then every service of docker-compose.yml is started
 * from the final stage with its own command and environment, pointed at this test's stack, and must
 * pass its health checks (compose's and the image's). A service that needs a devDependency, a file
 * the image lacks, or a variable compose does not set fails here.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rideshare-image-'));
const compose = readCompose();
const prefix = `img${process.pid}`;
const containers: Container[] = [];
let image: BuiltImage;
let buildMs = 0;

/** A string matching `pattern`, inside an object compared with toEqual. */
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

const contextFiles = () =>
  execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot })
    .toString()
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));

beforeAll(async () => {
  const begin = Date.now();
  image = await buildImage({
    dockerfile: path.join(repoRoot, 'Dockerfile'),
    contextDir: repoRoot,
    contextFiles: contextFiles(),
    outDir: work,
    installedCheckout: repoRoot,
  });
  buildMs = Date.now() - begin;
}, 600_000);

afterAll(async () => {
  await Promise.all(containers.map((c) => c.stop()));
  await dropIsolation(prefix).catch(() => undefined); // leftovers only cost space
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the image (Dockerfile and docker-compose.yml, without Docker)', () => {
  it('should hold production dependencies and compiled JavaScript only, and run as a non-root user', () => {
    console.log(`[image] built in ${(buildMs / 1000).toFixed(1)} s`);
    expect(image.config.user).not.toMatch(/^(root|0)?$/);
    expect(image.config.env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    // The lock file marks what only development needs (`"dev": true`): none of it may be installed.
    const lock = z
      .object({ packages: z.record(z.string(), z.object({ dev: z.boolean().optional() })) })
      .parse(JSON.parse(fs.readFileSync(path.join(image.root, 'package-lock.json'), 'utf8')));
    const devOnly = Object.entries(lock.packages).filter(
      ([p, entry]) => entry.dev && p.startsWith('node_modules/'),
    );
    expect(devOnly.map(([p]) => p)).toEqual(
      expect.arrayContaining(['node_modules/tsx', 'node_modules/esbuild']),
    );
    const devInstalled = devOnly.map(([p]) => p).filter((p) => fs.existsSync(path.join(image.root, p)));
    expect(devInstalled).toEqual([]);
    const typescript = execFileSync(
      'find',
      // Packages' own type declarations are theirs, wherever npm put them (a workspace's node_modules
      // holds the versions that could not be hoisted).
      ['.', '-name', 'node_modules', '-prune', '-o', '-name', '*.ts', '-print'],
      {
        cwd: image.root,
      },
    ).toString();
    expect(typescript).toBe('');
  });

  it("should hold the built web app where compose's gateway serves it from, without the app's sources or packages", () => {
    // The build stage's web/dist (what `vite build` makes), copied into the final stage.
    const webDir = copiedFromStage(image.stages, path.relative(repoRoot, webDist));
    expect(webDir).toBeDefined();
    expect(serviceEnv(compose.services.gateway ?? {}).GATEWAY_WEB_DIR).toBe(webDir);
    const built = imagePath(image, webDir ?? '');
    expect(fs.readFileSync(path.join(built, 'index.html'), 'utf8')).toContain('<div id="app">');
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: built }).toString().split('\n');
    expect(files.filter((f) => /(^|\/)(node_modules|src)\/|\.(vue|ts)$|package\.json$/.test(f))).toEqual([]);
    // The app's own packages are in its bundles: the production install leaves out what only web uses.
    const lock = z
      .object({
        packages: z.record(
          z.string(),
          z.object({ dependencies: z.record(z.string(), z.string()).optional() }),
        ),
      })
      .parse(JSON.parse(fs.readFileSync(path.join(image.root, 'package-lock.json'), 'utf8')));
    const workspaces = Object.entries(lock.packages).filter(([p]) => p !== '' && !p.includes('node_modules'));
    const usedElsewhere = new Set(
      workspaces.filter(([p]) => p !== 'web').flatMap(([, e]) => Object.keys(e.dependencies ?? {})),
    );
    const webOnly = Object.keys(lock.packages.web?.dependencies ?? {}).filter((d) => !usedElsewhere.has(d));
    expect(webOnly).toEqual(expect.arrayContaining(['vue', 'vue-router']));
    expect(webOnly.filter((d) => fs.existsSync(path.join(image.root, 'node_modules', d)))).toEqual([]);
  });

  it('should start every service with its compose command and environment, each passing its health checks', async () => {
    const names = builtServices(compose).map(([name]) => name);
    const jobs = jobNames(compose);
    const env = await containerEnv({ compose, image, names, prefix, work, infra: readInfraConfig() });
    for (const level of startLevels(compose, names)) {
      await Promise.all(
        level.map(async (name) => {
          const container = startContainer(name, compose, image, env);
          containers.push(container);
          if (jobs.has(name)) {
            expect({ name, exit: await container.exited(60_000) }).toEqual({ name, exit: 0 });
            return;
          }
          await container.healthy(90_000);
          // The image's own HEALTHCHECK too, and both routes every service serves.
          expect({ name, imageCheck: await container.imageHealthcheck() }).toEqual({ name, imageCheck: 0 });
          for (const route of ['/health/live', '/health/ready'])
            expect({ name, route, status: await container.status(route) }).toEqual({
              name,
              route,
              status: 200,
            });
        }),
      );
    }
    // The seed job loaded the demo drivers through the gateway.
    const gateway = containers.find((c) => c.name === 'gateway');
    const reply = await fetch(`http://127.0.0.1:${gateway?.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await adminAuthorization(env.get('gateway'))) },
      body: JSON.stringify({ query: '{ drivers(limit: 100) { code } }' }),
    });
    const body = z
      .object({ data: z.object({ drivers: z.array(z.object({ code: z.string() })) }) })
      .parse(await reply.json());
    expect(body.data.drivers.map((d) => d.code).sort()).toEqual(seedDrivers.map((d) => d.code).sort());

    // The web app, from the image's copy, at compose's GATEWAY_WEB_DIR: the page, its scripts, and
    // the sign-in settings it reads first.
    const app = await fetch(`http://127.0.0.1:${gateway?.port}/app/`);
    const page = await app.text();
    expect({ status: app.status, type: app.headers.get('content-type') }).toEqual({
      status: 200,
      type: matching(/^text\/html/),
    });
    expect(page).toContain('<div id="app">');
    const scripts = [...page.matchAll(/<script[^>]*\ssrc="(\/app\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const asset = await fetch(`http://127.0.0.1:${gateway?.port}${script}`);
      expect({ script, status: asset.status, type: asset.headers.get('content-type') }).toEqual({
        script,
        status: 200,
        type: matching(/javascript/),
      });
    }
    const config = await fetch(`http://127.0.0.1:${gateway?.port}/auth/config`);
    expect({ status: config.status, type: config.headers.get('content-type') }).toEqual({
      status: 200,
      type: matching(/^application\/json/),
    });
    expect(z.object({ signIn: z.string() }).parse(await config.json()).signIn).toMatch(/^(local|oidc|none)$/);
  }, 300_000);
});
