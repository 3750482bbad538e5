/**
 * Load benchmark of the auth hot paths on 127.0.0.1: sign-in (argon2id), token refresh (rotation) and an
 * authorized read (GET /api/v1/auth/me). Starts the real app in-process on a free port against
 * DATABASE_URL, or a throwaway embedded PostgreSQL, runs each scenario for a bounded time and prints a
 * markdown table. Run: `npx tsx server/bench/auth.bench.ts` (BENCH_SECONDS, BENCH_CONNECTIONS to tune).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { newId } from '@kiki/shared/ids';
import { buildApp } from '../src/app';
import { hashPassword } from '../src/auth/password';
import { NO_REQUEST_CONTEXT } from '../src/auth/request-context';
import { issueSession } from '../src/auth/tokens.service';
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/create-database';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded-postgres';
import { runMigrations } from '../src/db/migrate';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PASSWORD = 'benchmark password for argon2';

interface Row {
  scenario: string;
  result: autocannon.Result;
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(error instanceof Error ? error : new Error(String(error)));
    const instance = autocannon(options, (error, result) => (error ? fail(error) : resolve(result)));
    instance.on('error', fail);
  });
}

function table(rows: Row[]): string {
  const header = [
    '| Scenario | Connections | Requests/s (mean) | p50 ms | p99 ms | 2xx | non-2xx | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const lines = rows.map(
    ({ scenario, result: r }) =>
      `| ${scenario} | ${r.connections} | ${r.requests.average.toFixed(1)} | ${r.latency.p50} | ${r.latency.p99} | ${r['2xx']} | ${r.non2xx} | ${r.errors} |`,
  );
  return [...header, ...lines].join('\n');
}

async function main(): Promise<void> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let tempDir: string | null = null;
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'kiki-auth-bench-'));
    embedded = await startEmbeddedPostgres({ dataDir: tempDir });
    databaseUrl = embedded.url;
  }
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'silent',
    KIKI_JWT_SECRET: randomBytes(48).toString('base64'),
    KIKI_TOTP_KEY: randomBytes(32).toString('base64'),
    // Raise the per-IP limits (sign-in gets 1/60 of this): all load comes from one address here.
    KIKI_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const db = createDatabase({ url: databaseUrl, maxConnections: 20 });
  const app = await buildApp({ config, db, logger: pino({ level: 'silent' }) });
  try {
    await runMigrations(db);
    const orgId = newId();
    const userId = newId();
    const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
    await db.insertInto('organizations').values({ id: orgId, name: 'Benchmark agency' }).execute();
    await db
      .insertInto('users')
      .values({ id: userId, org_id: orgId, email, display_name: 'Bench', password_hash: await hashPassword(PASSWORD) })
      .execute();
    await db
      .insertInto('memberships')
      .values({ id: newId(), org_id: orgId, user_id: userId, role: 'owner', client_ids: null })
      .execute();

    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    const rows: Row[] = [];

    rows.push({
      scenario: 'POST /api/v1/auth/login (argon2id m=19 MiB, t=2, p=1)',
      result: await run({
        url: `${base}/api/v1/auth/login`,
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email, password: PASSWORD }),
        connections: CONNECTIONS,
        duration: SECONDS,
      }),
    });

    // Every refresh consumes its token, so each request takes a live token from a pool and returns the
    // rotated one; no token is ever sent twice (which would count as reuse and end the session).
    const pool: string[] = [];
    for (let i = 0; i < CONNECTIONS * 2; i++) {
      const tokens = await db
        .transaction()
        .execute((trx) => issueSession(trx, config, { userId, orgId }, NO_REQUEST_CONTEXT, new Date()));
      pool.push(tokens.refreshToken);
    }
    rows.push({
      scenario: 'POST /api/v1/auth/refresh (rotation)',
      result: await run({
        url: base,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/auth/refresh',
            headers: json,
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ refreshToken: pool.shift() ?? '' }) }),
            onResponse: (status, body) => {
              if (status === 200) pool.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
            },
          },
        ],
      }),
    });

    const session = await db
      .transaction()
      .execute((trx) => issueSession(trx, config, { userId, orgId }, NO_REQUEST_CONTEXT, new Date()));
    rows.push({
      scenario: 'GET /api/v1/auth/me (authorized read)',
      result: await run({
        url: `${base}/api/v1/auth/me`,
        headers: { authorization: `Bearer ${session.accessToken}` },
        connections: CONNECTIONS,
        duration: SECONDS,
      }),
    });

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    // Other work on the machine skews every number, so the load is printed with them.
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
    console.log(
      `\nAuth benchmark: ${cpus().length} cores (${cpu}), Node ${process.version}, ${SECONDS} s per scenario, ` +
        `load average at the end (1/5/15 min): ${load}\n`,
    );
    console.log(table(rows));
  } finally {
    await app.close();
    await db.destroy();
    if (embedded !== null) await embedded.stop();
    if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
