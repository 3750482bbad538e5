import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newId } from '@kiki/shared/ids';
import {
  LIVE_CLOSE_UNAUTHENTICATED,
  liveMessageSchema,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
  type LiveMessage,
} from '@kiki/shared/sync/sync-protocol';
import { buildApp } from '../../src/app';
import { signAccessToken } from '../../src/auth/jwt';
import { issueSession } from '../../src/auth/tokens.service';
import { APP_ROLE } from '../../src/db/app-role';
import { createDatabase } from '../../src/db/create-database';
import type { Database } from '../../src/db/database';
import { LISTENER_APPLICATION_NAME } from '../../src/sync/notify-listener';
import { createClient, createOrg, createUser, type TestClient, type TestUser } from '../helpers/factories';
import { testConfig } from '../helpers/test-app';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { seedCampaign, type SeededCampaign } from '../helpers/world';

const config = testConfig();

interface Instance {
  app: FastifyInstance;
  appDb: Kysely<Database>;
  url: string;
}

/** A real server instance: its own pool (as the app role) and its own LISTEN connection, on 127.0.0.1. */
async function startInstance(database: TestDatabase): Promise<Instance> {
  const appDb = createDatabase({ url: database.url, role: APP_ROLE, maxConnections: 5 });
  const app = await buildApp({ config, db: appDb, logger: pino({ level: 'silent' }), databaseUrl: database.url });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, appDb, url: `127.0.0.1:${port}` };
}

interface LiveClient {
  ws: WebSocket;
  messages: LiveMessage[];
  closed: Promise<number>;
  /** The first message after `skip` already seen that matches, or an error after `ms`. */
  waitFor(predicate: (m: LiveMessage) => boolean, ms?: number, skip?: number): Promise<LiveMessage>;
}

function connect(
  instance: Instance,
  token: string | null,
  schemaVersion = String(SYNC_PROTOCOL_VERSION),
): Promise<LiveClient> {
  const headers: Record<string, string> = { [SYNC_SCHEMA_VERSION_HEADER]: schemaVersion };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const ws = new WebSocket(`ws://${instance.url}${SYNC_PATHS.live}`, { headers });
  const messages: LiveMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    messages.push(liveMessageSchema.parse(JSON.parse(data.toString('utf8'))));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const waitFor: LiveClient['waitFor'] = (predicate, ms = 5_000, skip = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.slice(skip).find(predicate);
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching live message within ${ms} ms; got ${JSON.stringify(messages)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed, waitFor }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () =>
        reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body })),
      );
    });
    ws.once('error', reject);
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    const { status, body } = error as { status: number; body: string };
    return { status, code: (JSON.parse(body) as { error: { code: string } }).error.code };
  }
  throw new Error('the upgrade was accepted');
}

describe('sync live endpoint (WebSocket + LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let one: Instance;
  let two: Instance;
  let orgId: string;
  let clientA: TestClient;
  let clientB: TestClient;
  let campaignA: SeededCampaign;
  let readerA: TestUser;
  let readerB: TestUser;
  let manager: TestUser;
  const open: LiveClient[] = [];

  const sessionFor = async (user: TestUser, now = new Date()) =>
    db
      .transaction()
      .execute((trx) =>
        issueSession(
          trx,
          config,
          { userId: user.id, orgId },
          { ip: '127.0.0.1', userAgent: 'vitest', requestId: null },
          now,
        ),
      );
  const tokenFor = async (user: TestUser) => (await sessionFor(user)).accessToken;
  const live = async (instance: Instance, user: TestUser) => {
    const client = await connect(instance, await tokenFor(user));
    open.push(client);
    await client.waitFor((m) => m.type === 'hello');
    return client;
  };
  const renameCampaign = (campaignId: string) =>
    db
      .updateTable('campaigns')
      .set({ name: `Renamed ${newId().slice(-6)}` })
      .where('id', '=', campaignId)
      .execute();
  const currentVersion = async () =>
    Number(
      (await db.selectFrom('sync_versions').select('version').where('org_id', '=', orgId).executeTakeFirstOrThrow())
        .version,
    );
  /** Nothing else arrives: every poke of one flush leaves together, so this is long enough after the one that did. */
  const quiet = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    one = await startInstance(database);
    two = await startInstance(database);
    const org = await createOrg(db);
    orgId = org.id;
    clientA = await createClient(db, { orgId });
    clientB = await createClient(db, { orgId });
    campaignA = await seedCampaign(db, orgId, clientA.id, { days: [] });
    readerA = await createUser(db, { orgId, role: 'analyst', clientIds: [clientA.id] });
    readerB = await createUser(db, { orgId, role: 'analyst', clientIds: [clientB.id] });
    manager = await createUser(db, { orgId, role: 'manager', clientIds: null });
  });

  afterAll(async () => {
    for (const client of open) client.ws.terminate();
    await one.app.close();
    await two.app.close();
    await one.appDb.destroy();
    await two.appDb.destroy();
    await database.destroy();
  });

  it('refuses an upgrade without a token (401) or with an unsupported schema version (426), as plain HTTP JSON', async () => {
    expect(await refusal(connect(one, null))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await refusal(connect(one, 'not-a-jwt'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    const token = await tokenFor(readerA);
    expect(await refusal(connect(one, token, '0'))).toEqual({ status: 426, code: 'UPDATE_REQUIRED' });
    expect(await refusal(connect(one, token, String(SYNC_PROTOCOL_VERSION + 1)))).toEqual({
      status: 426,
      code: 'UPDATE_REQUIRED',
    });
  });

  it("says hello with the agency's current version", async () => {
    await renameCampaign(campaignA.id);
    const client = await live(one, readerA);
    expect(client.messages[0]).toEqual({ type: 'hello', serverVersion: await currentVersion() });
  });

  it('pokes a connection that can read the changed client, and not one limited to another client', async () => {
    const a = await live(one, readerA);
    const b = await live(one, readerB);
    const all = await live(one, manager);
    await renameCampaign(campaignA.id);
    const version = await currentVersion();
    expect(await a.waitFor((m) => m.type === 'poke')).toEqual({ type: 'poke', serverVersion: version });
    expect(await all.waitFor((m) => m.type === 'poke')).toEqual({ type: 'poke', serverVersion: version });
    await quiet();
    expect(b.messages.filter((m) => m.type === 'poke')).toEqual([]);
  });

  it("pokes a user whose memberships changed, and then uses the user's new scopes", async () => {
    const user = await createUser(db, { orgId, role: 'analyst', clientIds: [clientB.id] });
    const client = await live(one, user);
    await db
      .updateTable('memberships')
      .set({ client_ids: [clientA.id, clientB.id] })
      .where('user_id', '=', user.id)
      .execute();
    await client.waitFor((m) => m.type === 'poke');
    const seen = client.messages.length;
    await renameCampaign(campaignA.id);
    expect(await client.waitFor((m) => m.type === 'poke', 5_000, seen)).toEqual({
      type: 'poke',
      serverVersion: await currentVersion(),
    });
  });

  it('pokes a socket on instance two for a change committed through instance one (LISTEN/NOTIFY)', async () => {
    const onTwo = await live(two, readerA);
    const token = await tokenFor(manager);
    const response = await fetch(`http://${one.url}${SYNC_PATHS.metricsIngest}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION),
      },
      body: JSON.stringify({
        rows: [
          {
            adId: campaignA.adId,
            platform: 'meta',
            date: new Date().toISOString().slice(0, 10),
            impressions: 100,
            clicks: 3,
            spendMicros: 1_000_000,
            conversions: 1,
            revenueMicros: 2_000_000,
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const { serverVersion } = (await response.json()) as { serverVersion: number };
    expect(await onTwo.waitFor((m) => m.type === 'poke')).toEqual({ type: 'poke', serverVersion });
  });

  it('re-listens after its connection is killed, pokes everyone on reconnect, and still delivers', async () => {
    const client = await live(two, readerA);
    const killed = await sql<{ pid: number }>`
      select pg_terminate_backend(pid) as pid from pg_stat_activity
      where application_name = ${LISTENER_APPLICATION_NAME} and datname = current_database()`.execute(db);
    expect(killed.rows.length).toBe(2);
    // No change happened: this poke can only come from the reconnect, which cannot know what it missed.
    expect(await client.waitFor((m) => m.type === 'poke', 10_000)).toEqual({
      type: 'poke',
      serverVersion: await currentVersion(),
    });
    const seen = client.messages.length;
    await renameCampaign(campaignA.id);
    expect(await client.waitFor((m) => m.type === 'poke', 5_000, seen)).toEqual({
      type: 'poke',
      serverVersion: await currentVersion(),
    });
  });

  it('closes with 4401 when the access token expires', async () => {
    const session = await sessionFor(readerA);
    const claims = decodeJwt(session.accessToken);
    // Signed as if issued long enough ago that it has about one second left.
    const issuedAt = new Date(Date.now() - (config.accessTokenTtlSeconds - 1) * 1000);
    const { token } = await signAccessToken(
      config,
      { userId: readerA.id, orgId, sessionId: String(claims.sid) },
      issuedAt,
    );
    const client = await connect(one, token);
    open.push(client);
    const started = Date.now();
    expect(await client.closed).toBe(LIVE_CLOSE_UNAUTHENTICATED);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('closes with 4401 at the next poke once the session is revoked', async () => {
    const session = await sessionFor(readerA);
    const client = await connect(one, session.accessToken);
    open.push(client);
    await client.waitFor((m) => m.type === 'hello');
    const sid = String(decodeJwt(session.accessToken).sid);
    await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sid).execute();
    await renameCampaign(campaignA.id);
    expect(await client.closed).toBe(LIVE_CLOSE_UNAUTHENTICATED);
    expect(client.messages.filter((m) => m.type === 'poke')).toEqual([]);
  });

  it('a plain GET without an upgrade is told to use a WebSocket', async () => {
    const token = await tokenFor(readerA);
    const response = await fetch(`http://${one.url}${SYNC_PATHS.live}`, {
      headers: { authorization: `Bearer ${token}`, [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION) },
    });
    expect(response.status).toBe(400);
  });
});
