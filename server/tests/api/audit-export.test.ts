import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { auditRowHash, GENESIS_HASH, verifyAuditChain } from '../../src/audit/audit.service';
import { authenticatePlugin } from '../../src/plugins/authenticate';
import { registerErrorHandler } from '../../src/plugins/error-handler';
import { rbacPlugin } from '../../src/plugins/rbac';
import { auditRoutes } from '../../src/routes/audit/audit.routes';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';

let t: TestApp;
let orgId: string;
let owner: { authorization: string };

/** Appends a correctly chained audit row with a chosen time, so time filters can be tested to the millisecond. */
async function appendAt(occurredAt: Date, action: string): Promise<void> {
  const head = await t.db
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = {
    id: newId(),
    orgId,
    seq: (head?.seq ?? 0) + 1,
    occurredAt,
    actorUserId: null,
    action,
    entityType: 'probe',
    entityId: action,
    data: {},
    ip: null,
    requestId: null,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  await t.db
    .insertInto('audit_log')
    .values({
      id: row.id,
      org_id: orgId,
      seq: row.seq,
      occurred_at: occurredAt,
      actor_user_id: null,
      action,
      entity_type: row.entityType,
      entity_id: row.entityId,
      data: '{}',
      ip: null,
      request_id: null,
      prev_hash: prevHash,
      hash: auditRowHash(prevHash, row),
    })
    .execute();
}

beforeAll(async () => {
  t = await createTestApp();
  const org = await t.createOrg({ name: 'Audit Export' });
  orgId = org.id;
  const user = await t.createUser({ orgId, role: 'owner', email: 'owner@auditexport.test' });
  owner = await t.authHeader(user);
  await appendAt(new Date('2030-05-01T09:59:59.999Z'), 'probe.before_from');
  await appendAt(new Date('2030-05-01T10:00:00.000Z'), 'probe.at_from');
  await appendAt(new Date('2030-05-01T10:30:00.000Z'), 'probe.middle');
  await appendAt(new Date('2030-05-01T10:59:59.999Z'), 'probe.before_to');
  await appendAt(new Date('2030-05-01T11:00:00.000Z'), 'probe.at_to');
});
afterAll(async () => {
  await t.destroy();
});

describe('audit time filter', () => {
  it('is the half-open range [from, to): a row at `from` is in, a row at `to` is out', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?entityType=probe&from=2030-05-01T10:00:00.000Z&to=2030-05-01T11:00:00.000Z',
      headers: owner,
    });
    expect(res.statusCode).toBe(200);
    const actions = res.json<{ items: { action: string }[] }>().items.map((i) => i.action);
    expect(actions).toEqual(['probe.before_to', 'probe.middle', 'probe.at_from']);
  });

  it('honours each bound on its own, including across time zone offsets', async () => {
    const onlyTo = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?entityType=probe&to=${encodeURIComponent('2030-05-01T13:00:00.000+02:00')}`,
      headers: owner,
    });
    expect(onlyTo.json<{ items: { action: string }[] }>().items.map((i) => i.action)).toEqual([
      'probe.before_to',
      'probe.middle',
      'probe.at_from',
      'probe.before_from',
    ]);
    const onlyFrom = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?entityType=probe&from=2030-05-01T10:59:59.999Z',
      headers: owner,
    });
    expect(onlyFrom.json<{ items: { action: string }[] }>().items.map((i) => i.action)).toEqual([
      'probe.at_to',
      'probe.before_to',
    ]);
  });

  it('keeps the agency chain intact (the fixture rows are properly chained)', async () => {
    const result = await verifyAuditChain(t.db, orgId);
    expect(result.breaks).toEqual([]);
  });
});

describe('audit CSV export cap', () => {
  let small: FastifyInstance;

  beforeAll(async () => {
    // The production app uses the 100,000-row default; a cap of 3 proves the refusal without 100k fixture rows.
    const app = Fastify().withTypeProvider();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerErrorHandler(app);
    await app.register(rbacPlugin, { db: t.db });
    await app.register(authenticatePlugin, { config: t.config, db: t.db });
    await app.register(auditRoutes, { prefix: '/api/v1', db: t.db, exportMaxRows: 3 });
    await app.ready();
    small = app;
  });
  afterAll(async () => {
    await small.close();
  });

  it('refuses, before writing any CSV, when more rows match than the cap', async () => {
    const res = await small.inject({ method: 'GET', url: '/api/v1/audit/export.csv?entityType=probe', headers: owner });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(errorCodeOf(res)).toBe('VALIDATION_FAILED');
    expect(res.json<{ error: { message: string } }>().error.message).toBe(
      'More than 3 audit rows match: narrow the filters (time range, actor, action) and export again.',
    );
  });

  it('exports every row when exactly the cap matches', async () => {
    const res = await small.inject({
      method: 'GET',
      url: '/api/v1/audit/export.csv?entityType=probe&from=2030-05-01T10:00:00.000Z&to=2030-05-01T11:00:00.000Z',
      headers: owner,
    });
    expect(res.statusCode).toBe(200);
    const lines = res.body.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['probe.before_to', 'probe.middle', 'probe.at_from']);
  });
});
