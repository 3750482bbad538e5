import { randomBytes } from 'node:crypto';
import type { RouteDeclaration } from '../../src/plugins/rbac';
import type { AgencyWorld } from './world';

export interface SampleRequest {
  url: string;
  payload?: Record<string, unknown>;
  /** The client the request targets, if any: what a client-limited grant is checked against. */
  clientId?: string;
}

const QUERY: Record<string, (w: AgencyWorld) => string> = {
  '/api/v1/metrics/daily': (w) => `?clientId=${w.clientA.id}&from=2026-03-01&to=2026-03-31`,
};

/**
 * A request body that passes validation for every data route, so an allowed role reaches the handler.
 * Keyed by "METHOD url"; a new POST/PATCH/DELETE data route without an entry fails the matrix test.
 */
const BODIES: Record<string, (w: AgencyWorld) => Record<string, unknown>> = {
  'PATCH /api/v1/org': () => ({ mfaRequired: false }),
  'POST /api/v1/clients': () => ({
    name: `Brand ${randomBytes(3).toString('hex')}`,
    currency: 'EUR',
    timezone: 'Europe/Berlin',
  }),
  'PATCH /api/v1/clients/:clientId': () => ({ name: `Renamed ${randomBytes(3).toString('hex')}` }),
  'POST /api/v1/users': () => ({
    email: `new-${randomBytes(4).toString('hex')}@example.test`,
    displayName: 'New Person',
    password: 'a long enough passphrase',
  }),
  'PATCH /api/v1/users/:userId': () => ({ displayName: 'Renamed Person' }),
  'POST /api/v1/users/:userId/disable': () => ({}),
  'POST /api/v1/users/:userId/enable': () => ({}),
  'POST /api/v1/memberships': (w) => ({ userId: w.target.id, role: 'operator', clientIds: [w.clientA.id] }),
  'DELETE /api/v1/memberships/:membershipId': () => ({}),
  'POST /api/v1/sync/metrics/ingest': (w) => ({
    rows: [
      {
        adId: w.campaignA.adId,
        platform: 'meta',
        date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
        impressions: 10,
        clicks: 1,
        spendMicros: 1_000_000,
        conversions: 0,
        revenueMicros: 0,
      },
    ],
  }),
  'POST /api/v1/sync/metrics/pull': (w) => ({
    deviceId: '00000000-0000-7000-8000-00000000d001',
    clientId: w.clientA.id,
    cursor: null,
  }),
};

export function sampleRequest(route: RouteDeclaration, world: AgencyWorld, membershipId: string): SampleRequest {
  let clientId: string | undefined;
  const path = route.url
    .replace(':clientId', () => {
      clientId = world.clientA.id;
      return world.clientA.id;
    })
    .replace(':userId', world.target.id)
    .replace(':campaignId', world.campaignA.id)
    .replace(':membershipId', membershipId)
    .replace(/:[A-Za-z]+/g, () => '00000000-0000-7000-8000-000000000000');
  const query = QUERY[route.url]?.(world) ?? '';
  if (query.includes('clientId=')) clientId = world.clientA.id;
  const key = `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
  const body = BODIES[key];
  const needsBody = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(route.method);
  if (needsBody && body === undefined && route.permission !== 'public' && route.permission !== 'authenticated') {
    throw new Error(`No sample body for ${key}: add one to tests/helpers/route-samples.ts`);
  }
  return {
    url: path + query,
    ...(needsBody && route.method !== 'DELETE' ? { payload: body?.(world) ?? {} } : {}),
    ...(clientId === undefined ? {} : { clientId }),
  };
}
