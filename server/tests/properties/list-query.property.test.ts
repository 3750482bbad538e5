import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeSchema } from '@kiki/shared/errors';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { seedAgency, type AgencyWorld } from '../helpers/world';

const RUNS = 60;

let t: TestApp;
let w: AgencyWorld;
let authorization: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await seedAgency(t, 'Query');
  authorization = (await t.authHeader(w.users.owner)).authorization;
});
afterAll(async () => {
  await t.destroy();
});

/** Each GET list route with the query keys its schema reads, so generated keys hit the validators. */
const LIST_ROUTES: { url: string; keys: string[] }[] = [
  { url: '/api/v1/campaigns', keys: ['limit', 'offset', 'clientId', 'status', 'platform', 'search'] },
  { url: '/api/v1/metrics/daily', keys: ['clientId', 'campaignId', 'from', 'to', 'limit', 'offset'] },
  {
    url: '/api/v1/audit',
    keys: ['actorUserId', 'action', 'entityType', 'entityId', 'from', 'to', 'limit', 'beforeSeq'],
  },
  { url: '/api/v1/clients', keys: ['limit', 'offset', 'search', 'includeArchived'] },
  { url: '/api/v1/users', keys: ['limit', 'offset', 'status'] },
  { url: '/api/v1/memberships', keys: ['limit', 'offset', 'userId'] },
];

/** Values that have broken query parsers and databases before: edge numbers, dates PostgreSQL cannot hold. */
const NASTY = [
  '',
  '-1',
  '0',
  '-0',
  '1e309',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  '2147483648',
  '1.5',
  ' 5 ',
  'true',
  'null',
  '[]',
  '{}',
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '275760-09-13',
  '9999-12-31',
  '9999-12-31T23:59:59.999999999+14:00',
  '2024-02-30',
  '2024-13-45',
  '1970-01-01T00:00:00.000Z',
  '2024-01-01T24:00:00Z',
  'active',
  'paused',
  'meta',
  '\u0000',
  '%00',
  '😀',
  '\u202e',
  "' OR 1=1 --",
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

function valueArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...NASTY),
    fc.constantFrom(w.clientA.id, w.campaignA.id, w.users.owner.id, '2026-01-01', '2026-01-31'),
    fc.integer().map(String),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
    fc.double().map(String),
    fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer({ min: 200, max: 5000 }).map((n) => 'x'.repeat(n)),
  );
}

/**
 * Keys a route needs before it reaches its handler, mixed into half the runs so garbage reaches the database.
 * Daily metrics get a short window in a year biased to the edges of what ISO dates allow (0000, 9999).
 */
function baseArbitrary(url: string): fc.Arbitrary<[string, string][]> {
  if (url !== '/api/v1/metrics/daily') return fc.constant([]);
  const year = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1, 1970, 9999) }, fc.integer({ min: 0, max: 9999 }));
  return fc
    .tuple(year, fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 40 }))
    .map(([y, m, d, span]) => {
      const from = new Date(Date.UTC(2000, m, d));
      from.setUTCFullYear(y);
      const to = new Date(from.getTime() + span * 86_400_000);
      const iso = (date: Date) =>
        `${String(date.getUTCFullYear()).padStart(4, '0')}${date.toISOString().slice(-20, -14)}`;
      return [
        ['clientId', w.clientA.id],
        ['from', iso(from)],
        ['to', iso(to)],
      ];
    });
}

function queryArbitrary(url: string, keys: string[]): fc.Arbitrary<[string, string][]> {
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, fc.string({ maxLength: 20 }));
  const pair = fc.tuple(key, valueArbitrary());
  // Small key pool plus up to 8 pairs: the same key often repeats, which a query parser turns into an array.
  const garbage = fc.array(pair, { maxLength: 8 });
  // A valid base with one or two values replaced, so bad input also gets past validation to the database.
  const nearlyValid = fc
    .tuple(baseArbitrary(url), fc.array(pair, { minLength: 1, maxLength: 2 }))
    .map(([base, pairs]) => [...base.filter(([k]) => !pairs.some(([p]) => p === k)), ...pairs]);
  return fc.oneof(garbage, nearlyValid, baseArbitrary(url));
}

function encode(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

describe('arbitrary query strings on the GET list routes', () => {
  for (const route of LIST_ROUTES) {
    it(`never answer 5xx on ${route.url}`, async () => {
      await fc.assert(
        fc.asyncProperty(queryArbitrary(route.url, route.keys), async (pairs) => {
          const query = encode(pairs);
          const res = await t.app.inject({ method: 'GET', url: `${route.url}?${query}`, headers: { authorization } });
          const label = `GET ${route.url}?${query.slice(0, 300)} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
          expect(res.statusCode, label).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const code = res.json<{ error?: { code?: unknown } }>().error?.code;
            expect(errorCodeSchema.safeParse(code).success, label).toBe(true);
          } else {
            expect(res.statusCode, label).toBeGreaterThanOrEqual(200);
          }
        }),
        {
          numRuns: RUNS,
          // PostgreSQL has no year 0, though ISO 8601 does: this once reached the database and answered 500.
          examples:
            route.url === '/api/v1/metrics/daily'
              ? [
                  [
                    [
                      ['clientId', w.clientA.id],
                      ['from', '0000-01-01'],
                      ['to', '0000-01-02'],
                    ],
                  ],
                ]
              : [],
        },
      );
    });
  }

  it('answers the valid base query of every route with 200, so the property reaches the handlers', async () => {
    for (const route of LIST_ROUTES) {
      const base: [string, string][] =
        route.url === '/api/v1/metrics/daily'
          ? [
              ['clientId', w.clientA.id],
              ['from', '2026-01-01'],
              ['to', '2026-01-31'],
            ]
          : [];
      const query = encode([['limit', '5'], ...base]);
      const res = await t.app.inject({ method: 'GET', url: `${route.url}?${query}`, headers: { authorization } });
      expect(res.statusCode, `${route.url} ${res.body.slice(0, 200)}`).toBe(200);
    }
  });
});
