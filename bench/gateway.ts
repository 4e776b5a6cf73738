/**
 * Gateway benchmark (issue 3): our gateway against three peers, all in front of the SAME subgraphs and
 * driven with the same cross-subgraph query (bench/scenario.ts):
 *  - stock:     @apollo/gateway + @apollo/server (bench/stock-gateway.ts);
 *  - hive:      Hive Gateway, @graphql-hive/gateway-runtime + @graphql-mesh/transport-http, with its
 *               own (JavaScript) federation planner (bench/hive-gateway.ts, HIVE_PLANNER=js);
 *  - hive-rust: the same Hive Gateway with @graphql-hive/router-runtime's unifiedGraphHandler, the
 *               Hive Router's Rust query planner (bench/hive-gateway.ts, HIVE_PLANNER=rust).
 * Each peer is its own process and signs the same fixed identity onto its subgraph calls
 * (bench/peer-identity.ts).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGO_URL=mongodb://127.0.0.1:27017 REDIS_URL=redis://127.0.0.1:6379 \
 *     npm run bench:gateway
 *
 * Two phases, each with every gateway (and the variant, if any):
 *  - live:   the real subgraphs on the real database (end to end; what a client sees today);
 *  - replay: the same subgraph answers replayed from memory (bench/replay-subgraphs.ts), so the
 *            gateway, not the database, is what is loaded.
 * Knobs: BENCH_PHASES (live,replay), BENCH_DURATION_S (15), BENCH_CONNECTIONS (32), BENCH_ROUNDS (2),
 * BENCH_WARMUP_S (5), BENCH_HIVE_DEDUPE (1; 0 turns off the Hive peers' deduplication of identical
 * in-flight subgraph queries), BENCH_VARIANT (the entry of another gateway build, relative to the repo
 * root, run as an extra target: before/after comparisons under the same conditions), BENCH_TRACED (1:
 * our gateway once more with tracing on, exporting to Zipkin; `traced/ours` is tracing's cost).
 * Runs alternate (ours, stock, hive, hive-rust, ours, stock, ...) so none gets a warmer or quieter
 * machine. Every response is checked; a phase with any error is reported as invalid. Before each phase
 * every distinct request is sent once through every gateway and the whole answers are compared with
 * stock's; a difference also makes the phase invalid. RSS is sampled from
 * /proc/<pid>/status every 200 ms; CPU time per process comes from /proc/<pid>/stat. Results go to
 * stdout and to bench/results/gateway-<time>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envInt, envOptionalString, envString, readInfraConfig } from '@rideshare/common';
import { startService, startTestSystem, type RunningService } from '@rideshare/testing';
import { mapLimit, postgresCpuMs, stopOnSignal } from './bench-util';
import { mergeResults, runLoad, type LoadResult } from './load';
import { findDatabasePid, measureCpu, measureMachineCpu, readProcStatusMiB, sampleRss } from './proc';
import { BENCH_QUERY, SEED, requestFor, seed, type Seeded } from './scenario';

const DURATION_S = envInt('BENCH_DURATION_S', 15, { min: 1, max: 600 });
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 32, { min: 1, max: 1024 });
const ROUNDS = envInt('BENCH_ROUNDS', 2, { min: 1, max: 20 });
const WARMUP_S = envInt('BENCH_WARMUP_S', 5, { min: 0, max: 120 });
const PHASES = envString('BENCH_PHASES', 'live,replay')
  .split(',')
  .map((p) => p.trim());
for (const p of PHASES) if (p !== 'live' && p !== 'replay') throw new Error(`BENCH_PHASES: unknown "${p}"`);

/**
 * BENCH_HIVE_DEDUPE=0: the Hive peers without their default deduplication of identical in-flight
 * subgraph queries (the scenario repeats few distinct subgraph calls, so it saves them many calls).
 */
const HIVE_DEDUPE = envString('BENCH_HIVE_DEDUPE', '1') !== '0';

/** BENCH_VARIANT: the entry of another gateway build (e.g. a change under test), run as an extra target. */
const VARIANT = envOptionalString('BENCH_VARIANT');

/**
 * BENCH_TRACED (1): also run our gateway with OpenTelemetry on, exporting every span to the stack's
 * Zipkin (OTEL_EXPORTER_ZIPKIN_ENDPOINT), beside the same gateway untraced: tracing's cost per request.
 * Every other process of the bench runs untraced.
 */
const TRACED = envString('BENCH_TRACED', '1') !== '0';
const ZIPKIN_SPANS = envString('OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'http://127.0.0.1:9411/api/v2/spans');
const tracedEnv = {
  OTEL_SDK_DISABLED: 'false',
  OTEL_TRACES_EXPORTER: 'zipkin',
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: ZIPKIN_SPANS,
};

type GatewayName = 'ours' | 'traced' | 'stock' | 'hive' | 'hive-rust' | 'variant';

/** The peers besides stock that every phase runs: name, entry and extra environment. */
const PEERS: Array<{ name: GatewayName; service: string; entry: string; env: NodeJS.ProcessEnv }> = [
  {
    name: 'hive',
    service: 'hive-gateway',
    entry: 'bench/hive-gateway.ts',
    env: { HIVE_PLANNER: 'js', HIVE_DEDUPE: HIVE_DEDUPE ? '1' : '0' },
  },
  {
    name: 'hive-rust',
    service: 'hive-gateway-rust',
    entry: 'bench/hive-gateway.ts',
    env: { HIVE_PLANNER: 'rust', HIVE_DEDUPE: HIVE_DEDUPE ? '1' : '0' },
  },
];

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
  /** Subgraph calls the gateway made during the run (replay phase only: the stand-in counts them). */
  subgraphCalls?: number;
}

interface Summary extends LoadResult {
  peakRssMiB: number;
  /** The kernel's own high-water mark since the process started (includes warm-up). */
  vmHwmMiB: number;
  /** CPU ms per request, per process, over all rounds. */
  cpuMsPerRequest: Record<string, number>;
  /** Subgraph calls per request, over all rounds (replay phase only). */
  subgraphCallsPerRequest?: number;
  valid: boolean;
}

/** The bearer token every benchmark request carries (our gateway requires one; stock ignores it). */
let auth: Record<string, string> = {};

async function measure(target: Target, others: Record<string, number>, seeded: Seeded, durationS: number) {
  const rss = sampleRss(target.pid, 200);
  const cpu = measureCpu({ gateway: target.pid, ...others });
  const postgresBefore = postgresCpuMs();
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
  const cpuMs: Record<string, number> = {
    ...cpu.stop(),
    // PostgreSQL under FerretDB (0 on another back end): part of the database's cost.
    postgres: postgresCpuMs() - postgresBefore,
    'load generator': (own.user + own.system) / 1000,
  };
  // Whatever else ran on the machine meanwhile (other test runs, Kafka...): noise to know about.
  const measured = Object.values(cpuMs).reduce((n, v) => n + (Number.isFinite(v) ? v : 0), 0);
  cpuMs['rest of machine'] = machine.stop() - measured;
  return { result, peakRssMiB: rss.stop(), cpuMs };
}

/**
 * Sends every distinct request of the scenario once through a gateway, checks each answer and returns
 * them as compact JSON (so a replay stand-in records every subgraph call that gateway makes, and the
 * gateways' answers can be compared).
 */
async function answersOf(target: Target, seeded: Seeded): Promise<string[]> {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const { trips, drivers } = seeded;
  const distinct = (trips.length * drivers.length) / gcd(trips.length, drivers.length);
  const request = requestFor(seeded);
  return mapLimit(
    Array.from({ length: distinct }, (_, i) => i),
    4,
    async (i) => {
      const { body, check } = request(i);
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      if (res.status !== 200)
        throw new Error(`${target.name}: request ${i}: HTTP ${res.status}: ${text.slice(0, 200)}`);
      const answer: unknown = JSON.parse(text);
      const problem = check(answer);
      if (problem) throw new Error(`${target.name}: request ${i} answered wrongly: ${problem}`);
      // Re-serialized, so whitespace (Apollo ends its body with a newline) does not count; key order,
      // which GraphQL fixes to the query's field order, does.
      return JSON.stringify(answer);
    },
  );
}

/**
 * Every distinct request through every gateway once; each whole answer (data, errors, extensions) is
 * compared with stock's. Returns the differences found (empty when all gateways agree).
 */
async function compareAnswers(targets: Target[], seeded: Seeded): Promise<string[]> {
  const answers = new Map<GatewayName, string[]>();
  for (const t of targets) answers.set(t.name, await answersOf(t, seeded));
  const reference = answers.get('stock')!;
  const differences: string[] = [];
  for (const [name, own] of answers) {
    const differing = own.flatMap((a, i) => (a === reference[i] ? [] : [i]));
    if (differing.length === 0) continue;
    const i = differing[0]!;
    differences.push(
      `${name}: ${differing.length} of ${own.length} answers differ from stock's; ` +
        `e.g. request ${i}: ${name} ${own[i]} / stock ${reference[i]}`,
    );
  }
  console.log(
    differences.length === 0
      ? `answers: all ${targets.length} gateways give the same answers to all ${reference.length} distinct requests`
      : `answers DIFFER:\n  ${differences.join('\n  ')}`,
  );
  return differences;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

async function runPhase(
  phase: string,
  targets: Target[],
  others: Record<string, number>,
  seeded: Seeded,
  differences: string[],
  /** Subgraph calls made so far, when something counts them (the replay stand-in). */
  subgraphCalls?: () => Promise<number>,
) {
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
      const callsBefore = await subgraphCalls?.();
      const run = await measure(target, others, seeded, DURATION_S);
      const callsAfter = await subgraphCalls?.();
      const calls =
        callsBefore === undefined || callsAfter === undefined ? undefined : callsAfter - callsBefore;
      runs.push({
        target: target.name,
        round,
        ...run,
        ...(calls === undefined ? {} : { subgraphCalls: calls }),
      });
      const { result } = run;
      console.log(
        `round ${round} ${target.name.padEnd(9)}: ${fmt(result.requestsPerSecond)} req/s, ` +
          `p50 ${fmt(result.latency.p50, 2)} ms, p99 ${fmt(result.latency.p99, 2)} ms, ` +
          `peak RSS ${fmt(run.peakRssMiB)} MiB, gateway CPU ${fmt((run.cpuMs.gateway ?? NaN) / result.requests, 2)} ms/req, ` +
          (calls === undefined ? '' : `${fmt(calls / result.requests, 2)} subgraph calls/req, `) +
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
      ...(subgraphCalls
        ? { subgraphCallsPerRequest: own.reduce((n, r) => n + (r.subgraphCalls ?? NaN), 0) / merged.requests }
        : {}),
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
  const peers = targets.map((t) => t.name).filter((n) => n !== 'ours' && n !== 'stock');
  for (const name of peers) compared.push([`${name}/stock`, ratio(summary[name]!, s)]);
  for (const name of peers) compared.push([`ours/${name}`, ratio(o, summary[name]!)]);
  if (summary.traced) compared.push(['traced/ours', ratio(summary.traced, o)]);
  const valid = Object.values(summary).every((r) => r.valid) && differences.length === 0;

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
      `CPU ms per request with ${name}: ${parts.join(', ')}; other work on the machine: ${fmt(otherCpus, 2)} CPUs` +
        (r.subgraphCallsPerRequest === undefined
          ? ''
          : `; subgraph calls per request: ${fmt(r.subgraphCallsPerRequest, 2)}`),
    );
  }
  console.log(
    valid
      ? `goal (ours >= 1.5x stock req/s with a lower p99): ${ratios.requestsPerSecond >= 1.5 && ratios.p99 < 1 ? 'MET' : 'NOT MET'}`
      : 'INVALID: some responses had errors or unexpected data, or the gateways disagreed; these numbers do not count',
  );
  const strip = ({ samples: _samples, ...rest }: LoadResult) => rest;
  return {
    phase,
    valid,
    answerDifferences: differences,
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
      `${CONNECTIONS} connections, ${WARMUP_S} s warm-up each; Hive subgraph-query deduplication ` +
      (HIVE_DEDUPE ? 'on (its default)' : 'off'),
  );

  // Neither gateway may report usage anywhere; keep Apollo's cloud variables out of both.
  delete process.env.APOLLO_KEY;
  delete process.env.APOLLO_GRAPH_REF;

  const cleanup = stopOnSignal();
  if (
    TRACED &&
    !(await fetch(new URL('/health', ZIPKIN_SPANS)).then(
      (r) => r.ok,
      () => false,
    ))
  )
    throw new Error(
      `BENCH_TRACED: no Zipkin answers at ${ZIPKIN_SPANS} (run \`npm run stack up\`, or BENCH_TRACED=0)`,
    );
  // The graph alone: no lifecycle workers move trips on. Untraced, but for the `traced` gateway.
  const system = await startTestSystem({ OTEL_SDK_DISABLED: 'true' }, { workers: false });
  cleanup.add(() => system.stop());
  const extra: RunningService[] = [];
  cleanup.add(async () => {
    for (const s of extra.reverse()) await s.stop();
  });
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
      const peers = [];
      for (const p of PEERS)
        peers.push({ ...p, running: await start(p.service, p.entry, { ...gatewayEnv, ...p.env }) });
      const database = findDatabasePid(readInfraConfig().mongoUrl);
      const others: Record<string, number> = {
        drivers: pid(system.services.get('drivers')),
        passengers: pid(system.services.get('passengers')),
        trips: pid(system.services.get('trips')),
        ...(database ? { database } : {}),
      };
      const targets: Target[] = [
        { name: 'ours', url: ours.url, pid: pid(ours) },
        { name: 'stock', url: stock.url, pid: pid(stock) },
        ...peers.map((p) => ({ name: p.name, url: p.running.url, pid: pid(p.running) })),
      ];
      const variant = VARIANT ? await start('variant', VARIANT, gatewayEnv) : undefined;
      if (variant) targets.push({ name: 'variant', url: variant.url, pid: pid(variant) });
      const traced = TRACED
        ? await start('gateway-traced', 'gateway/src/index.ts', { ...gatewayEnv, ...tracedEnv })
        : undefined;
      if (traced) targets.splice(1, 0, { name: 'traced', url: traced.url, pid: pid(traced) });
      const differences = await compareAnswers(targets, seeded);
      phases.push(await runPhase('live', targets, others, seeded, differences));
      await stock.stop();
      for (const p of peers) await p.running.stop();
      await variant?.stop();
      await traced?.stop();
    }

    if (PHASES.includes('replay')) {
      const replay = await start('replay-subgraphs', 'bench/replay-subgraphs.ts', gatewayEnv);
      const base = `http://127.0.0.1:${replay.port}`;
      const replayPorts = (await (await fetch(`${base}/ports`)).json()) as Record<string, number>;
      const replayUrl = (name: string) => `http://127.0.0.1:${replayPorts[name] ?? 0}/graphql`;
      const viaReplay = {
        ...gatewayEnv,
        DRIVERS_URL: replayUrl('drivers'),
        PASSENGERS_URL: replayUrl('passengers'),
        TRIPS_URL: replayUrl('trips'),
      };
      const ours = await start('gateway', 'gateway/src/index.ts', viaReplay);
      const stock = await start('stock-gateway', 'bench/stock-gateway.ts', viaReplay);
      const peers = [];
      for (const p of PEERS)
        peers.push({ ...p, running: await start(p.service, p.entry, { ...viaReplay, ...p.env }) });
      const targets: Target[] = [
        { name: 'ours', url: ours.url, pid: pid(ours) },
        { name: 'stock', url: stock.url, pid: pid(stock) },
        ...peers.map((p) => ({ name: p.name, url: p.running.url, pid: pid(p.running) })),
      ];
      const variant = VARIANT ? await start('variant', VARIANT, viaReplay) : undefined;
      if (variant) targets.push({ name: 'variant', url: variant.url, pid: pid(variant) });
      const traced = TRACED
        ? await start('gateway-traced', 'gateway/src/index.ts', { ...viaReplay, ...tracedEnv })
        : undefined;
      if (traced) targets.splice(1, 0, { name: 'traced', url: traced.url, pid: pid(traced) });
      const stats = async () =>
        (await (await fetch(`${base}/stats`)).json()) as { hits: number; misses: number; entries: number };
      const subgraphCalls = async () => {
        const { hits, misses } = await stats();
        return hits + misses;
      };
      // Records every subgraph answer the scenario needs, through every gateway (the Hive planners
      // send other subgraph queries than Apollo's), before anything is measured.
      const differences = await compareAnswers(targets, seeded);
      const before = await stats();
      const result = await runPhase(
        'replay',
        targets,
        { 'replay subgraphs': pid(replay) },
        seeded,
        differences,
        subgraphCalls,
      );
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
      traced: TRACED ? tracedEnv : false,
      hiveDedupe: HIVE_DEDUPE,
      peers: PEERS.map((p) => ({ name: p.name, entry: p.entry, env: p.env })),
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
    await cleanup.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
