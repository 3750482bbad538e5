import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG_ONLY_PERMISSIONS, ROLES, roleHas, type Grant, type Permission } from '@kiki/shared/permissions';
import { rbacPlugin, type RouteDeclaration } from '../../src/plugins/rbac';
import type { TestUser } from '../helpers/factories';
import { sampleRequest } from '../helpers/route-samples';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import { seedAgency, type AgencyWorld } from '../helpers/world';

/** What the shared matrix says, written independently of the plugin's own check. */
function matrixAllows(grant: Grant, route: RouteDeclaration & { permission: Permission }, clientId?: string): boolean {
  if (!roleHas(grant.role, route.permission)) return false;
  if (grant.clientIds === null) return true;
  if (ORG_ONLY_PERMISSIONS.has(route.permission) || route.grantScope === 'org') return false;
  return clientId === undefined || grant.clientIds.includes(clientId);
}

let t: TestApp;
let world: AgencyWorld;
const holders: { label: string; grant: Grant; user: TestUser }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  world = await seedAgency(t, 'Matrix');
  for (const role of ROLES) {
    // Samples target client A, so a client-B grant shows that a grant for the wrong client is refused.
    const grants: [string, Grant][] = [
      ['client A only', { role, clientIds: [world.clientA.id] }],
      ['client B only', { role, clientIds: [world.clientB.id] }],
    ];
    if (role !== 'client_viewer') grants.unshift(['org-wide', { role, clientIds: null }]);
    for (const [scope, grant] of grants) {
      const user = await t.createUser({ orgId: world.org.id, role, clientIds: grant.clientIds });
      holders.push({ label: `${role} (${scope})`, grant, user });
    }
  }
});
afterAll(async () => {
  await t.destroy();
});

async function targetMembershipId(): Promise<string> {
  const row = await t.db
    .selectFrom('memberships')
    .select('id')
    .where('user_id', '=', world.target.id)
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.id ?? '00000000-0000-7000-8000-000000000001';
}

describe('role x route matrix', () => {
  it('pins the routes that need an agency-wide grant even for a client-scoped permission', () => {
    const orgScoped = t.app.routeDeclarations.filter((r) => r.grantScope === 'org').map((r) => `${r.method} ${r.url}`);
    expect(orgScoped).toEqual(['POST /api/v1/clients']);
  });

  it('covers a real route list', () => {
    const urls = t.app.routeDeclarations.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /api/v1/clients');
    expect(urls).toContain('PATCH /api/v1/org');
    expect(urls).toContain('GET /api/v1/audit/export.csv');
    expect(t.app.routeDeclarations.length).toBeGreaterThan(25);
  });

  it('lets every grant through exactly where the permission matrix says, on every route', async () => {
    const mismatches: string[] = [];
    for (const route of t.app.routeDeclarations) {
      if (route.method === 'OPTIONS') continue;
      const permission = route.permission;
      if (permission === 'public') continue;
      for (const holder of holders) {
        const sample = sampleRequest(route, world, await targetMembershipId());
        const res = await t.app.inject({
          method: route.method as 'GET',
          url: sample.url,
          headers: await t.authHeader(holder.user),
          ...(sample.payload === undefined ? {} : { payload: sample.payload }),
        });
        const denied = res.statusCode === 403 || res.statusCode === 401;
        const expected =
          permission === 'authenticated' ? true : matrixAllows(holder.grant, { ...route, permission }, sample.clientId);
        if (expected === denied) {
          mismatches.push(
            `${holder.label} ${route.method} ${route.url}: got ${res.statusCode}, expected ${expected ? 'allowed' : 'denied'}`,
          );
        }
        if (!expected && route.method !== 'HEAD') expect(errorCodeOf(res)).toBe('FORBIDDEN');
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers 401 without a token on every non-public route and lets public ones through', async () => {
    for (const route of t.app.routeDeclarations) {
      if (route.method === 'OPTIONS') continue;
      const sample = sampleRequest(route, world, '00000000-0000-7000-8000-000000000001');
      const res = await t.app.inject({
        method: route.method as 'GET',
        url: sample.url,
        ...(sample.payload === undefined ? {} : { payload: sample.payload }),
      });
      const label = `${route.method} ${route.url}`;
      if (route.permission === 'public') {
        // Public auth routes may still answer 401 for bad credentials; what matters is that RBAC let them run.
        expect(res.statusCode, label).not.toBe(403);
        expect(res.statusCode, label).toBeLessThan(500);
      } else {
        expect(res.statusCode, label).toBe(401);
      }
    }
  });
});

describe('route permission declarations', () => {
  it('refuse to start an app with a route that declares no permission', async () => {
    const app = Fastify();
    await app.register(rbacPlugin, { db: t.db });
    expect(() => app.get('/forgotten', () => 'oops')).toThrow(/GET \/forgotten declares no permission/);
    await app.close().catch(() => undefined);
  });

  it('refuse a permission name the matrix does not know', async () => {
    const app = Fastify();
    await app.register(rbacPlugin, { db: t.db });
    expect(() => app.get('/typo', { config: { permission: 'clients.raed' as Permission } }, () => 'oops')).toThrow(
      /declares no permission/,
    );
    await app.close().catch(() => undefined);
  });
});
