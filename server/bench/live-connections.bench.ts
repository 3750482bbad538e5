/**
 * 10,000 concurrent sync WebSockets on one server instance (the real app in a child process, so its memory is
 * its own), each its own signed-in session: memory per connection, and the time from a committed change to the
 * LAST of the 10,000 pokes, with every poke counted. 127.0.0.1 only; every wait has a deadline. Exits 1 when a
 * poke is missing or the last one takes 2 s or more, so `npm run bench` reports it.
 * Run: `npx tsx server/bench/live-connections.bench.ts` (BENCH_LIVE_CONNECTIONS, BENCH_LIVE_ROUNDS to tune).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import WebSocket from 'ws';
import { SYNC_PATHS, SYNC_PROTOCOL_VERSION, SYNC_SCHEMA_VERSION_HEADER } from '@kiki/shared/sync/sync-protocol';
import { openBenchDatabase, seedBenchAgency, spawnBenchServer, type BenchServer } from './metrics-live-bench-server';

const WANTED = Number(process.env.BENCH_LIVE_CONNECTIONS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_LIVE_ROUNDS ?? 5);
const CONNECT_CONCURRENCY = 200;
const TARGET_LAST_POKE_MS = 2_000;
const POKE_DEADLINE_MS = 10_000;
/** Descriptors this process needs besides its sockets (stdio, the database pool, the child's IPC, tsx). */
const FD_HEADROOM = 200;

function openFileLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

interface Connection {
  ws: WebSocket;
  /** The version of the last poke seen, and when it arrived. */
  lastPoke: number;
  lastPokeAt: number;
}

async function openAll(server: BenchServer, tokens: readonly string[]): Promise<Connection[]> {
  const url = `ws://127.0.0.1:${server.port}${SYNC_PATHS.live}`;
  const connections: Connection[] = [];
  let next = 0;
  const openOne = (token: string) =>
    new Promise<Connection>((resolve, reject) => {
      const ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${token}`, [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION) },
      });
      const conn: Connection = { ws, lastPoke: 0, lastPokeAt: 0 };
      const timer = setTimeout(() => reject(new Error('no hello within 30 s')), 30_000);
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { type: string; serverVersion: number };
        if (message.type === 'hello') {
          clearTimeout(timer);
          resolve(conn);
        } else if (message.type === 'poke') {
          conn.lastPoke = Math.max(conn.lastPoke, message.serverVersion);
          conn.lastPokeAt = performance.now();
        }
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused with ${res.statusCode}`));
      });
    });
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++] as string;
      connections.push(await openOne(token));
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return connections;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const limit = openFileLimit();
  const count = Math.min(WANTED, limit - FD_HEADROOM);
  console.log(
    `Open-file limit (ulimit -n): ${limit}. The server runs in its own process, so each side needs ~${WANTED} ` +
      `descriptors, not twice that.`,
  );
  if (count < WANTED) console.log(`The limit allows ${count} connections here, not ${WANTED}: measuring ${count}.`);

  const bench = await openBenchDatabase();
  let server: BenchServer | null = null;
  let connections: Connection[] = [];
  try {
    const agency = await seedBenchAgency(bench, { sessions: count });
    server = await spawnBenchServer(bench);
    const before = await server.memory();
    const connectStart = performance.now();
    connections = await openAll(server, agency.tokens);
    const connectSeconds = (performance.now() - connectStart) / 1000;
    // Let the handshakes' garbage go before measuring what the open connections keep.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await server.memory();

    const rounds: {
      delivered: number;
      firstMs: number;
      p50Ms: number;
      p99Ms: number;
      lastMs: number;
      serverCpuMs: number;
    }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cpuBefore = await server.cpuSeconds();
      const committedAt = performance.now();
      await bench.db
        .updateTable('clients')
        .set({ name: `Benchmark brand ${round}` })
        .where('id', '=', agency.clientId)
        .execute();
      const { version } = await bench.db
        .selectFrom('sync_versions')
        .select('version')
        .where('org_id', '=', agency.orgId)
        .executeTakeFirstOrThrow();
      const deadline = committedAt + POKE_DEADLINE_MS;
      while (performance.now() < deadline && connections.some((c) => c.lastPoke < version)) {
        await new Promise((r) => setTimeout(r, 5));
      }
      // On a shared machine the wall time says as much about the neighbours as about us; CPU time does not.
      const serverCpuMs = ((await server.cpuSeconds()) - cpuBefore) * 1000;
      const latencies = connections
        .filter((c) => c.lastPoke >= version)
        .map((c) => c.lastPokeAt - committedAt)
        .sort((a, b) => a - b);
      rounds.push({
        delivered: latencies.length,
        firstMs: latencies[0] ?? Number.NaN,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        lastMs: latencies.at(-1) ?? Number.NaN,
        serverCpuMs,
      });
      await new Promise((r) => setTimeout(r, 500));
    }

    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `\nLive connections: ${connections.length} WebSockets to one server instance, ${cpus().length} cores ` +
        `(${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average at the end (1/5/15 min): ${load}\n`,
    );
    console.log(`Connected in ${connectSeconds.toFixed(1)} s (${Math.round(connections.length / connectSeconds)}/s).`);
    console.log(
      `Server memory: RSS ${mib(before.rss)} -> ${mib(after.rss)} MiB, heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)} MiB; ` +
        `per connection: ${((after.rss - before.rss) / connections.length / 1024).toFixed(1)} KiB RSS, ` +
        `${((after.heapUsed - before.heapUsed) / connections.length / 1024).toFixed(1)} KiB heap.\n`,
    );
    console.log('| Round | Pokes delivered | First ms | p50 ms | p99 ms | Last ms | Server CPU ms |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    rounds.forEach((r, i) =>
      console.log(
        `| ${i + 1} | ${r.delivered} / ${connections.length} | ${r.firstMs.toFixed(0)} | ${r.p50Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} | ${r.lastMs.toFixed(0)} | ${r.serverCpuMs.toFixed(0)} |`,
      ),
    );
    const allDelivered = rounds.every((r) => r.delivered === connections.length);
    const worstLast = Math.max(...rounds.map((r) => r.lastMs));
    const met = allDelivered && worstLast < TARGET_LAST_POKE_MS;
    console.log(
      `\nEvery poke delivered: ${allDelivered ? 'yes' : 'NO'}; slowest last poke ${worstLast.toFixed(0)} ms ` +
        `(target < ${TARGET_LAST_POKE_MS} ms): ${met ? 'met' : 'MISSED'}`,
    );
    if (!met) process.exitCode = 1;
  } finally {
    for (const c of connections) c.ws.terminate();
    await server?.stop();
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
