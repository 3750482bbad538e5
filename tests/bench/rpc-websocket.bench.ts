import { pino } from 'pino';
import { WebSocket } from 'ws';
import { campaignListInputSchema, type RpcMethodName } from '@kiki/shared/contract/rpc-contract';
import type { RpcTransport } from '@kiki/shared/rpc/transport';
import { createWebSocketTransport } from '@kiki/shared/rpc/websocket-client-transport';
import { openDatabase } from '../../electron/core/db/open-database';
import { addDays } from '../../electron/core/services/calendar-days';
import { createRpcHandlers } from '../../electron/core/services/create-rpc-handlers';
import { createSyncRuntime } from '../../electron/core/sync/sync-handlers';
import { startWebHost } from '../../electron/web-host/web-host';
import { BENCH_DIR, ensureBenchDataset } from './bench-dataset';
import { machineInfo, measure, ms, type Timing } from './desktop-bench-support';

/**
 * The calls desktop-queries.bench.ts measures, timed twice on the same dataset: calling core's handlers
 * directly, and through the whole web-host path (input and output validation, JSON, loopback
 * WebSocket, the renderer's transport). Target: RPC p50 within 2x the direct p50 plus 5 ms per round trip
 * (case (a) is three calls, as the dashboard page makes them).
 *   npx tsx tests/bench/rpc-websocket.bench.ts [--scale 10000000] [--seed 1]
 */
const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const scale = argument('scale', 10_000_000);
const seed = argument('seed', 1);

const file = await ensureBenchDataset({ scale, seed });
const handle = await openDatabase({ filename: file });
const sync = createSyncRuntime({ sqlite: handle.sqlite, now: () => new Date(), emit: () => undefined, vault: null });
const handlers = { ...createRpcHandlers({ db: handle.db, appVersion: 'bench' }), ...sync.handlers };

const host = await startWebHost({
  host: '127.0.0.1',
  dataDir: BENCH_DIR,
  demo: false,
  rendererDir: BENCH_DIR,
  // The host and the direct calls share one core, so both read the same pages of the same file.
  createCore: () => Promise.resolve({ handlers, onEvent: () => () => undefined, close: () => undefined }),
  logger: pino({ level: 'silent' }),
});
const origin = `http://127.0.0.1:${host.port}`;
class LocalWebSocket extends WebSocket {
  constructor(url: string) {
    super(url, { origin });
  }
}
const transport = createWebSocketTransport({
  url: `ws://127.0.0.1:${host.port}/rpc?token=${encodeURIComponent(host.token)}`,
  WebSocket: LocalWebSocket,
});

async function viaRpc(t: RpcTransport, method: RpcMethodName, input: unknown): Promise<unknown> {
  const result = await t.invoke(method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

const status = await handlers['app.status']({});
const today = status.latestMetricDate;
const { clients } = await handlers['clients.list']({});
const client = clients[0];
if (!today || !client) throw new Error('The bench dataset has no clients or metrics.');
const range90 = { from: addDays(today, -89), to: today };
const range30 = { from: addDays(today, -29), to: today };
const first = handle.sqlite.prepare<[], { first: string }>('SELECT MIN(date) AS first FROM rollup_campaign_day').get();
const allTime = { from: first?.first ?? range90.from, to: today };
const listInput = { range: range30, sort: { column: 'spend', direction: 'desc' }, limit: 100 } as const;
const parsedList = campaignListInputSchema.parse(listInput);

const cases: {
  name: string;
  direct: () => Promise<unknown>;
  rpc: () => Promise<unknown>;
  roundTrips: number;
  iterations: number;
}[] = [
  {
    name: `(a) one client's 90-day dashboard (summary + trend + platforms)`,
    direct: async () => [
      await handlers['dashboard.summary']({ clientId: client.id, range: range90 }),
      await handlers['dashboard.trend']({ clientId: client.id, range: range90, granularity: 'day' }),
      await handlers['dashboard.platformBreakdown']({ clientId: client.id, range: range90 }),
    ],
    rpc: async () => [
      await viaRpc(transport, 'dashboard.summary', { clientId: client.id, range: range90 }),
      await viaRpc(transport, 'dashboard.trend', { clientId: client.id, range: range90, granularity: 'day' }),
      await viaRpc(transport, 'dashboard.platformBreakdown', { clientId: client.id, range: range90 }),
    ],
    roundTrips: 3,
    iterations: 200,
  },
  {
    name: `(b) all clients' two-year daily trend`,
    direct: async () => handlers['dashboard.trend']({ clientId: null, range: allTime, granularity: 'day' }),
    rpc: () => viaRpc(transport, 'dashboard.trend', { clientId: null, range: allTime, granularity: 'day' }),
    roundTrips: 1,
    iterations: 100,
  },
  {
    name: '(c) campaign list, last 30 days, first page by spend',
    direct: async () => handlers['campaigns.list'](parsedList),
    rpc: () => viaRpc(transport, 'campaigns.list', listInput),
    roundTrips: 1,
    iterations: 100,
  },
];

// Same answers both ways, or the timing compares different work.
for (const c of cases) {
  const [direct, rpc] = [JSON.stringify(await c.direct()), JSON.stringify(await c.rpc())];
  if (direct !== rpc) throw new Error(`${c.name}: the RPC answer differs from the direct call`);
}

const results: { name: string; direct: Timing; rpc: Timing; budget: number }[] = [];
for (const c of cases) {
  const direct = await measure(c.direct, { iterations: c.iterations });
  const rpc = await measure(c.rpc, { iterations: c.iterations });
  results.push({ name: c.name, direct, rpc, budget: 2 * direct.p50 + 5 * c.roundTrips });
}

transport.close();
await host.close();
sync.close();
await handle.close();

const lines = [
  `Dataset: ${status.counts.metricRows.toLocaleString('en-US')} metric rows, ${status.counts.clients} clients, ${status.counts.campaigns} campaigns (scale ${scale}, seed ${seed}); RPC answers asserted equal to direct ones.`,
  `Machine: ${machineInfo()}; ${new Date().toISOString()}`,
  '',
  '| Call | direct p50 | RPC p50 | RPC p95 | budget (2x + 5 ms per round trip) | within |',
  '| --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${ms(r.direct.p50)} | ${ms(r.rpc.p50)} | ${ms(r.rpc.p95)} | ${ms(r.budget)} | ${r.rpc.p50 <= r.budget ? 'yes' : 'NO'} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (results.some((r) => r.rpc.p50 > r.budget)) process.exitCode = 1;
