import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeSchema } from '@kiki/shared/errors';
import type { RouteDeclaration } from '../../src/plugins/rbac';
import { INGEST_BODY_LIMIT_BYTES } from '../../src/routes/sync/metrics.routes';
import { sampleRequest } from '../helpers/route-samples';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { seedAgency, type AgencyWorld } from '../helpers/world';

const BODY_LIMIT = 16 * 1024;
/** Bulk routes declare their own, larger limit; every other write route has the app's. */
const OWN_BODY_LIMITS: Readonly<Record<string, number>> = {
  'POST /api/v1/sync/metrics/ingest': INGEST_BODY_LIMIT_BYTES,
};
const RUNS = 25;

let t: TestApp;
let w: AgencyWorld;
let writeRoutes: RouteDeclaration[];

beforeAll(async () => {
  t = await createTestApp({ bodyLimitBytes: BODY_LIMIT });
  w = await seedAgency(t, 'Props');
  writeRoutes = t.app.routeDeclarations.filter((r) => r.method === 'POST' || r.method === 'PATCH');
});
afterAll(async () => {
  await t.destroy();
});

/** Field names the API really uses, so generated objects hit the validators, not just "unknown key". */
const FIELD_NAMES = [
  'name',
  'currency',
  'timezone',
  'mfaRequired',
  'email',
  'displayName',
  'password',
  'grant',
  'role',
  'clientIds',
  'userId',
  'archived',
  'budgetApprovalThresholdMicros',
  'id',
  'code',
  'refreshToken',
  'challengeToken',
  'recoveryCode',
];

async function send(route: RouteDeclaration, payload: string): Promise<LightMyRequestResponse> {
  const sample = sampleRequest(route, w, '00000000-0000-7000-8000-000000000001');
  return t.app.inject({
    method: route.method as 'POST',
    url: sample.url,
    headers: { ...(await t.authHeader(w.users.owner)), 'content-type': 'application/json' },
    payload,
  });
}

function expectCleanRejection(res: LightMyRequestResponse, label: string): void {
  expect(res.statusCode, `${label} -> ${res.statusCode} ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, label).toBeLessThan(500);
  const code = res.json<{ error?: { code?: unknown } }>().error?.code;
  expect(errorCodeSchema.safeParse(code).success, `${label}: error code ${String(code)}`).toBe(true);
}

describe('malformed input on every POST/PATCH route', () => {
  it('covers the write routes', () => {
    expect(writeRoutes.length).toBeGreaterThanOrEqual(10);
  });

  it('answers text that is not JSON with 400 VALIDATION_FAILED', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writeRoutes),
        fc.string({ minLength: 1, maxLength: 200 }).filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        }),
        async (route, text) => {
          const res = await send(route, text);
          expectCleanRejection(res, `${route.method} ${route.url}`);
          expect(res.statusCode).toBe(400);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });

  it('answers a body of the wrong type with 400 on routes that take a body', async () => {
    const withBody = writeRoutes.filter((r) => r.hasBodySchema);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.oneof(
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.string(),
          fc.constant(null),
          fc.array(fc.jsonValue(), { maxLength: 5 }),
        ),
        async (route, value) => {
          const res = await send(route, JSON.stringify(value));
          expectCleanRejection(res, `${route.method} ${route.url} <- ${JSON.stringify(value).slice(0, 80)}`);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });

  it('never answers 5xx to objects with real field names and arbitrary values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writeRoutes),
        fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
        async (route, body) => {
          const res = await send(route, JSON.stringify(body));
          const label = `${route.method} ${route.url} <- ${JSON.stringify(body).slice(0, 120)}`;
          expect(res.statusCode, `${label} -> ${res.body.slice(0, 200)}`).toBeLessThan(500);
          if (res.statusCode >= 400) expectCleanRejection(res, label);
        },
      ),
      { numRuns: RUNS * 8 },
    );
  });

  it('answers oversized strings inside a valid shape with 4xx, not a database error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writeRoutes.filter((r) => r.hasBodySchema)),
        fc.constantFrom(...FIELD_NAMES),
        fc.integer({ min: 1_000, max: 10_000 }),
        async (route, field, length) => {
          const res = await send(route, JSON.stringify({ [field]: 'x'.repeat(length) }));
          expectCleanRejection(res, `${route.method} ${route.url} <- ${field} x${length}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('answers a body over the size limit with 413 PAYLOAD_TOO_LARGE on every write route', async () => {
    for (const route of writeRoutes) {
      const limit = OWN_BODY_LIMITS[`${route.method} ${route.url}`] ?? BODY_LIMIT;
      const res = await send(route, JSON.stringify({ name: 'x'.repeat(limit + 10) }));
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(413);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('PAYLOAD_TOO_LARGE');
    }
  });
});
