// `npm run bench [-- --quick] [-- --json]`: retrieval at 1k, 10k and 100k chunks, and POST /api/chat
// under load. Writes bench/results/latest.json and bench/results/latency.svg; never part of npm test.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { parseEvalFile } from '../src/eval/eval-file.ts';
import { freePort } from '../test/server-process.ts';
import { latencyChart } from './chart.ts';

const run = promisify(execFile);
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const log = (text: string) => process.stderr.write(`${text}\n`);

type SizeResult = {
  chunks: number;
  buildSeconds: number;
  chunksPerSecond: number;
  diskMb: number;
  rssMb: number;
  latencyMs: Record<'lexical' | 'vector' | 'hybrid' | 'exact' | 'hnsw', { p50: number; p95: number; p99: number }>;
  recallAt5: number;
  mrr: number;
  /** The vector index the product builds for this embedder, and its recall@10 against exact search. */
  vectorIndex: string;
  vectorRecallAt10: number;
  /** An HNSW graph over the same vectors (what dense model embeddings get), at the configured ef. */
  hnswRecallAt10: number;
  hnswBuildSeconds: number;
  ef: number;
};

async function measureSize(size: number): Promise<SizeResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `rongzhi-bench-${size}-`));
  try {
    log(`building and measuring ${size} chunks…`);
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/size.ts', String(size), dir], { maxBuffer: 1 << 20, timeout: 30 * 60_000 });
    return JSON.parse(stdout) as SizeResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const WARMUP_SECONDS = 3;

/** POST /api/chat offline under 50 concurrent connections, against a separate server process. */
async function measureHttp(seconds: number) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rongzhi-bench-http-'));
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_IP: '100000', RATE_LIMIT_CHAT_PER_USER: '10000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        if (attempt > 200) throw new Error('the server did not start');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const questions = parseEvalFile(await readFile('test/eval/questions.jsonl', 'utf8')).filter((line) => line.expect).map((line) => line.question);
    let counter = 0;
    const rssBefore = await rssOf(server.pid!);
    log(`load: POST /api/chat, 50 connections, ${WARMUP_SECONDS} s to warm up, then ${seconds} s…`);
    const load = (duration: number) =>
      autocannon({
        url: `${base}/api/chat`,
        connections: 50,
        duration,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ user: `load-${counter % 500}`, text: questions[counter++ % questions.length] }) }),
          },
        ],
      });
    // A server that has just started is still compiling its code paths: the same load warms it first.
    const warmup = await load(WARMUP_SECONDS);
    const result = await load(seconds);
    const rssAfter = await rssOf(server.pid!);
    return {
      rps: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      requests: result.requests.total,
      warmup: { requests: warmup.requests.total, p50Ms: warmup.latency.p50, p99Ms: warmup.latency.p99, errors: warmup.errors + warmup.timeouts + warmup.non2xx },
      rssMbBefore: rssBefore,
      rssMbAfter: rssAfter,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

const results: SizeResult[] = [];
for (const size of sizes) results.push(await measureSize(size));
const http = await measureHttp(quick ? 5 : 15);

const summary = {
  sizes: results.map((result) => ({
    chunks: result.chunks,
    buildSeconds: result.buildSeconds,
    p95Ms: { lexical: result.latencyMs.lexical.p95, vector: result.latencyMs.vector.p95, hybrid: result.latencyMs.hybrid.p95, exact: result.latencyMs.exact.p95, hnsw: result.latencyMs.hnsw.p95 },
    recallAt5: result.recallAt5,
    vectorIndex: result.vectorIndex,
    vectorRecallAt10: result.vectorRecallAt10,
    hnswRecallAt10: result.hnswRecallAt10,
    rssMb: result.rssMb,
  })),
  http: { rps: http.rps, p50Ms: http.p50Ms, p99Ms: http.p99Ms, errors: http.errors },
};

await mkdir('bench/results', { recursive: true });
if (!quick) {
  await writeFile('bench/results/latest.json', `${JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, sizes: results, http }, null, 2)}\n`);
  await writeFile('bench/results/latency.svg', latencyChart(results));
}

if (json) {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} else {
  const rows = results.map(
    (result) =>
      `| ${result.chunks.toLocaleString('en')} | ${result.buildSeconds} | ${result.chunksPerSecond} | ${result.diskMb} | ${result.rssMb} | ${result.latencyMs.lexical.p95} | ${result.latencyMs.vector.p95} | ${result.latencyMs.hybrid.p95} | ${result.latencyMs.exact.p95} | ${(result.latencyMs.exact.p95 / result.latencyMs.vector.p95).toFixed(1)}× | ${result.vectorRecallAt10} | ${result.recallAt5} | ${result.hnswBuildSeconds} | ${result.latencyMs.hnsw.p95} | ${result.hnswRecallAt10} |`,
  );
  process.stdout.write(
    [
      `Vector index: ${results[0]?.vectorIndex ?? '—'}; HNSW columns: a graph over the same vectors at ef ${results[0]?.ef ?? '—'}.`,
      '',
      '| chunks | build s | chunks/s | disk MB | RSS MB | lexical p95 ms | vector p95 ms | hybrid p95 ms | brute-force p95 ms | speed-up | vector recall@10 | recall@5 | HNSW build s | HNSW p95 ms | HNSW recall@10 |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `POST /api/chat, 50 connections, after a ${WARMUP_SECONDS}-second warm-up (${http.warmup.requests} requests, p99 ${http.warmup.p99Ms} ms, errors ${http.warmup.errors}): ${http.rps} requests/s, p50 ${http.p50Ms} ms, p99 ${http.p99Ms} ms, errors ${http.errors}, server RSS ${http.rssMbBefore} → ${http.rssMbAfter} MB`,
      '',
    ].join('\n'),
  );
}
