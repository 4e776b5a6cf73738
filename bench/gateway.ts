/**
 * Gateway benchmark (issue 3): our gateway against a stock @apollo/gateway + @apollo/server, both in
 * front of the SAME subgraphs, driven with the same cross-subgraph query (bench/scenario.ts).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGO_URL=mongodb://127.0.0.1:27017 REDIS_URL=redis://127.0.0.1:6379 \
 *     npm run bench:gateway
 *
 * Two phases, each with both gateways (and the variant, if any):
 *  - live:   the real subgraphs on the real database (end to end; what a client sees today);
 *  - replay: the same subgraph answers replayed from memory (bench/replay-subgraphs.ts), so the
 *            gateway, not the database, is what is loaded.
 * Knobs: BENCH_PHASES (live,replay), BENCH_DURATION_S (15), BENCH_CONNECTIONS (32), BENCH_ROUNDS (2),
 * BENCH_WARMUP_S (5), BENCH_VARIANT (the entry of another gateway build, relative to the repo root, run
 * as a third target: before/after comparisons under the same conditions).
 * Runs alternate (ours, stock, ours, stock, ...) so neither gets a warmer or quieter machine. Every
 * response is checked; a phase with any error is reported as invalid. RSS is sampled from
 * /proc/<pid>/status every 200 ms; CPU time per process comes from /proc/<pid>/stat. Results go to
 * stdout and to bench/results/gateway-<time>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envInt, envOptionalString, envString } from '@rideshare/common';
import { startService, type RunningService } from '../tools/stack/src/services';
import { startTestSystem } from '../tools/stack/src/testing';
import { mergeResults, runLoad, type LoadResult } from './load';
import { findPidsByComm, measureCpu, measureMachineCpu, readProcStatusMiB, sampleRss } from './proc';
import { BENCH_QUERY, SEED, requestFor, seed, type Seeded } from './scenario';

const DURATION_S = envInt('BENCH_DURATION_S', 15, { min: 1, max: 600 });
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 32, { min: 1, max: 1024 });
const ROUNDS = envInt('BENCH_ROUNDS', 2, { min: 1, max: 20 });
const WARMUP_S = envInt('BENCH_WARMUP_S', 5, { min: 0, max: 120 });
const PHASES = envString('BENCH_PHASES', 'live,replay')
  .split(',')
  .map((p) => p.trim());
for (const p of PHASES) if (p !== 'live' && p !== 'replay') throw new Error(`BENCH_PHASES: unknown "${p}"`);

/** BENCH_VARIANT: the entry of another gateway build (e.g. a change under test), run as a third target. */
const VARIANT = envOptionalString('BENCH_VARIANT');

type GatewayName = 'ours' | 'stock' | 'variant';

interface Target {
  name: GatewayName;
  url: string;
  pid: number;
}

interface Run {
  target: GatewayName;
  round: number;
  result: LoadResult;
  peakRssMiB: number;
  /** CPU ms used during the run, per process (gateway, subgraphs, database, load generator...). */
  cpuMs: Record<string, number>;
}

interface Summary extends LoadResult {
  peakRssMiB: number;
  /** The kernel's own high-water mark since the process started (includes warm-up). */
  vmHwmMiB: number;
  /** CPU ms per request, per process, over all rounds. */
  cpuMsPerRequest: Record<string, number>;
  valid: boolean;
}

/** The bearer token every benchmark request carries (our gateway requires one; stock ignores it). */
let auth: Record<string, string> = {};

async function measure(target: Target, others: Record<string, number>, seeded: Seeded, durationS: number) {
  const rss = sampleRss(target.pid, 200);
  const cpu = measureCpu({ gateway: target.pid, ...others });
  const self = process.cpuUsage();
  const machine = measureMachineCpu();
  const result = await runLoad({
    url: target.url,
    connections: CONNECTIONS,
    durationMs: durationS * 1000,
    request: requestFor(seeded),
    headers: auth,
  });
  const own = process.cpuUsage(self);
  const cpuMs: Record<string, number> = { ...cpu.stop(), 'load generator': (own.user + own.system) / 1000 };
  // Whatever else ran on the machine meanwhile (other test runs, Kafka...): noise to know about.
  const measured = Object.values(cpuMs).reduce((n, v) => n + (Number.isFinite(v) ? v : 0), 0);
  cpuMs['rest of machine'] = machine.stop() - measured;
  return { result, peakRssMiB: rss.stop(), cpuMs };
}

/** Sends every distinct request of the scenario once (so a replay stand-in records all answers). */
async function recordAll(url: string, seeded: Seeded) {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const { trips, drivers } = seeded;
  const distinct = (trips.length * drivers.length) / gcd(trips.length, drivers.length);
  const request = requestFor(seeded);
  for (let i = 0; i < distinct; i++) {
    const { body, check } = request(i);
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });
    const problem = check(await res.json());
    if (problem) throw new Error(`recording subgraph answers failed: ${problem}`);
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

async function runPhase(phase: string, targets: Target[], others: Record<string, number>, seeded: Seeded) {
  console.log(`\n== phase ${phase} ==`);
  for (const target of targets) {
    if (WARMUP_S === 0) break;
    const { result } = await measure(target, others, seeded, WARMUP_S);
    console.log(
      `warm-up ${target.name}: ${fmt(result.requestsPerSecond)} req/s, ${result.errors} errors` +
        (result.errors ? ` (${result.errorSamples.join('; ')})` : ''),
    );
  }

  const runs: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of targets) {
      const run = await measure(target, others, seeded, DURATION_S);
      runs.push({ target: target.name, round, ...run });
      const { result } = run;
      console.log(
        `round ${round} ${target.name.padEnd(5)}: ${fmt(result.requestsPerSecond)} req/s, ` +
          `p50 ${fmt(result.latency.p50, 2)} ms, p99 ${fmt(result.latency.p99, 2)} ms, ` +
          `peak RSS ${fmt(run.peakRssMiB)} MiB, gateway CPU ${fmt((run.cpuMs.gateway ?? NaN) / result.requests, 2)} ms/req, ` +
          `${result.errors} errors` +
          (result.errors ? ` (${result.errorSamples.join('; ')})` : ''),
      );
    }
  }

  const summary: Partial<Record<GatewayName, Summary>> = {};
  for (const t of targets) {
    const own = runs.filter((r) => r.target === t.name);
    const merged = mergeResults(own.map((r) => r.result));
    const cpuMsPerRequest: Record<string, number> = {};
    for (const key of Object.keys(own[0]?.cpuMs ?? {})) {
      cpuMsPerRequest[key] = own.reduce((n, r) => n + (r.cpuMs[key] ?? NaN), 0) / merged.requests;
    }
    summary[t.name] = {
      ...merged,
      peakRssMiB: Math.max(...own.map((r) => r.peakRssMiB)),
      vmHwmMiB: readProcStatusMiB(t.pid, 'VmHWM') ?? NaN,
      cpuMsPerRequest,
      valid: merged.errors === 0,
    };
  }
  const ratio = (a: Summary, b: Summary) => ({
    requestsPerSecond: a.requestsPerSecond / b.requestsPerSecond,
    p50: a.latency.p50 / b.latency.p50,
    p99: a.latency.p99 / b.latency.p99,
    peakRss: a.peakRssMiB / b.peakRssMiB,
    gatewayCpuPerRequest: (a.cpuMsPerRequest.gateway ?? NaN) / (b.cpuMsPerRequest.gateway ?? NaN),
  });
  const o = summary.ours!;
  const s = summary.stock!;
  const ratios = ratio(o, s);
  const compared: Array<[string, ReturnType<typeof ratio>]> = [['ours/stock', ratios]];
  if (summary.variant) {
    compared.push(['variant/stock', ratio(summary.variant, s)], ['ours/variant', ratio(o, summary.variant)]);
  }
  const valid = Object.values(summary).every((r) => r.valid);

  const rows = [
    ['gateway', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'gateway CPU ms/req', 'requests', 'errors'],
    ...Object.entries(summary).map(([name, r]) => [
      name,
      fmt(r.requestsPerSecond),
      fmt(r.latency.p50, 2),
      fmt(r.latency.p99, 2),
      fmt(r.peakRssMiB),
      fmt(r.cpuMsPerRequest.gateway ?? NaN, 2),
      String(r.requests),
      r.valid ? '0' : `${r.errors} (INVALID)`,
    ]),
    ...compared.map(([label, r]) => [
      label,
      `${fmt(r.requestsPerSecond, 2)}x`,
      `${fmt(r.p50, 2)}x`,
      `${fmt(r.p99, 2)}x`,
      `${fmt(r.peakRss, 2)}x`,
      `${fmt(r.gatewayCpuPerRequest, 2)}x`,
      '',
      '',
    ]),
  ];
  console.log(`\n${phase}: ${ROUNDS} x ${DURATION_S} s per gateway, ${CONNECTIONS} connections\n`);
  console.log(table(rows));
  for (const [name, r] of Object.entries(summary)) {
    const { 'rest of machine': rest = NaN, ...own } = r.cpuMsPerRequest;
    const parts = Object.entries(own).map(([k, v]) => `${k} ${fmt(v, 2)}`);
    // Other work is reported as CPUs kept busy: per request it would only grow as req/s falls.
    const otherCpus = (rest * r.requests) / r.elapsedMs;
    console.log(
      `CPU ms per request with ${name}: ${parts.join(', ')}; other work on the machine: ${fmt(otherCpus, 2)} CPUs`,
    );
  }
  console.log(
    valid
      ? `goal (ours >= 1.5x stock req/s with a lower p99): ${ratios.requestsPerSecond >= 1.5 && ratios.p99 < 1 ? 'MET' : 'NOT MET'}`
      : 'INVALID: some responses had errors or unexpected data; these numbers do not count',
  );
  const strip = ({ samples: _samples, ...rest }: LoadResult) => rest;
  return {
    phase,
    valid,
    ratios: Object.fromEntries(compared),
    summary: Object.fromEntries(Object.entries(summary).map(([name, r]) => [name, strip(r)])),
    runs: runs.map((r) => ({ ...r, result: strip(r.result) })),
  };
}

async function main() {
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  const idle = measureMachineCpu();
  await new Promise((r) => setTimeout(r, 3_000));
  const busyBeforeStart = Number((idle.stop() / 3_000).toFixed(2));
  const note =
    `${machine.cpus} CPU(s) (${machine.cpuModel}) shared by the load generator (this process), the ` +
    'gateway under test, the subgraphs (or the replay stand-in) and FerretDB/Kafka/Redis; ' +
    `${busyBeforeStart} CPU(s) busy with other work just before the start. Absolute numbers are bound to this machine.`;
  console.log(`machine: ${note}`);
  console.log(
    `config: phases ${PHASES.join(',')}; ${ROUNDS} round(s) x ${DURATION_S} s per gateway, ` +
      `${CONNECTIONS} connections, ${WARMUP_S} s warm-up each`,
  );

  // Neither gateway may report usage anywhere; keep Apollo's cloud variables out of both.
  delete process.env.APOLLO_KEY;
  delete process.env.APOLLO_GRAPH_REF;

  const system = await startTestSystem({}, { workers: false }); // the graph alone: no lifecycle workers move trips on
  const extra: RunningService[] = [];
  const logs: string[] = [];
  const start = async (name: string, entry: string, env: NodeJS.ProcessEnv) => {
    const running = await startService(name, entry, env, (l) => logs.push(`[${name}] ${l}`));
    extra.push(running);
    return running;
  };
  const pid = (s: RunningService | undefined) => s?.child.pid ?? NaN;
  const phases = [];
  try {
    auth = await system.adminAuth();
    const seeded = await seed(system);
    console.log(
      `seeded ${seeded.drivers.length} drivers, ${seeded.passengers.length} passengers, ${seeded.trips.length} trips`,
    );
    const gatewayEnv = system.envFor('gateway');

    if (PHASES.includes('live')) {
      const ours = system.services.get('gateway')!;
      const stock = await start('stock-gateway', 'bench/stock-gateway.ts', gatewayEnv);
      const database = [...findPidsByComm('ferretdb'), ...findPidsByComm('mongod')][0];
      const others: Record<string, number> = {
        drivers: pid(system.services.get('drivers')),
        passengers: pid(system.services.get('passengers')),
        trips: pid(system.services.get('trips')),
        ...(database ? { database } : {}),
      };
      const targets: Target[] = [
        { name: 'ours', url: ours.url, pid: pid(ours) },
        { name: 'stock', url: stock.url, pid: pid(stock) },
      ];
      const variant = VARIANT ? await start('variant', VARIANT, gatewayEnv) : undefined;
      if (variant) targets.push({ name: 'variant', url: variant.url, pid: pid(variant) });
      phases.push(await runPhase('live', targets, others, seeded));
      await stock.stop();
      await variant?.stop();
    }

    if (PHASES.includes('replay')) {
      const replay = await start('replay-subgraphs', 'bench/replay-subgraphs.ts', gatewayEnv);
      const base = `http://127.0.0.1:${replay.port}`;
      const viaReplay = {
        ...gatewayEnv,
        DRIVERS_URL: `${base}/drivers`,
        PASSENGERS_URL: `${base}/passengers`,
        TRIPS_URL: `${base}/trips`,
      };
      const ours = await start('gateway', 'gateway/src/index.ts', viaReplay);
      const stock = await start('stock-gateway', 'bench/stock-gateway.ts', viaReplay);
      const targets: Target[] = [
        { name: 'ours', url: ours.url, pid: pid(ours) },
        { name: 'stock', url: stock.url, pid: pid(stock) },
      ];
      const variant = VARIANT ? await start('variant', VARIANT, viaReplay) : undefined;
      if (variant) targets.push({ name: 'variant', url: variant.url, pid: pid(variant) });
      const stats = async () =>
        (await (await fetch(`${base}/stats`)).json()) as { hits: number; misses: number; entries: number };
      // Records every subgraph answer the scenario needs before anything is measured.
      await recordAll(stock.url, seeded);
      const before = await stats();
      const result = await runPhase('replay', targets, { 'replay subgraphs': pid(replay) }, seeded);
      const after = await stats();
      const forwarded = after.misses - before.misses;
      console.log(
        `replay: ${after.entries} recorded subgraph answers; during the phase ${after.hits - before.hits} ` +
          `served from memory, ${forwarded} forwarded to the real subgraphs`,
      );
      phases.push({ ...result, valid: result.valid && forwarded === 0, replay: { before, after } });
    }

    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const config = {
      phases: PHASES,
      durationS: DURATION_S,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      variant: VARIANT,
    };
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          benchmark: 'gateway',
          at: new Date().toISOString(),
          machine: { ...machine, busyBeforeStart },
          note,
          config: { ...config, warmupS: WARMUP_S, seed: SEED },
          query: BENCH_QUERY,
          phases,
        },
        null,
        2,
      ),
    );
    console.log(`\nnote: ${note}`);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    process.exitCode = phases.every((p) => p.valid) ? 0 : 1;
  } catch (err) {
    if (logs.length) console.error(logs.slice(-20).join('\n'));
    throw err;
  } finally {
    for (const s of extra.reverse()) await s.stop();
    await system.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
