import { describe, expect, it } from 'vitest';
import {
  ORG_ONLY_PERMISSIONS,
  PERMISSION_MATRIX,
  ROLES,
  can,
  clientScope,
  grantSchema,
  permissionSchema,
  roleHas,
  type Grant,
} from './permissions';

const CLIENT_A = '0190a000-0000-7000-8000-00000000000a';
const CLIENT_B = '0190a000-0000-7000-8000-00000000000b';

describe('permission matrix', () => {
  it('gives the owner every permission', () => {
    for (const permission of permissionSchema.options) expect(roleHas('owner', permission)).toBe(true);
  });

  it('keeps budget approval to owners and managers (four eyes)', () => {
    const approvers = ROLES.filter((role) => roleHas(role, 'budgets.approve'));
    expect(approvers).toEqual(['owner', 'manager']);
  });

  it('lets operators edit campaigns but not manage users', () => {
    expect(roleHas('operator', 'campaigns.edit')).toBe(true);
    expect(roleHas('operator', 'users.manage')).toBe(false);
  });

  it('makes analysts and client viewers read-only', () => {
    for (const role of ['analyst', 'client_viewer'] as const) {
      const writes = [...PERMISSION_MATRIX[role]].filter((p) => !p.endsWith('.read') && p !== 'exports.create');
      expect(writes).toEqual([]);
    }
    expect(roleHas('client_viewer', 'exports.create')).toBe(false);
  });

  it('denies anything a role does not list', () => {
    expect(roleHas('admin', 'campaigns.edit')).toBe(false);
    expect(roleHas('client_viewer', 'users.read')).toBe(false);
  });
});

describe('can', () => {
  const orgOperator: Grant = { role: 'operator', clientIds: null };
  const viewerOfA: Grant = { role: 'client_viewer', clientIds: [CLIENT_A] };
  const adminOfA: Grant = { role: 'admin', clientIds: [CLIENT_A] };

  it('denies with no grants', () => {
    expect(can([], 'campaigns.read', CLIENT_A)).toBe(false);
  });

  it('lets an org-wide grant reach every client and the agency itself', () => {
    expect(can([orgOperator], 'campaigns.edit', CLIENT_B)).toBe(true);
    expect(can([orgOperator], 'users.read')).toBe(true);
  });

  it('limits a client grant to its clients', () => {
    expect(can([viewerOfA], 'campaigns.read', CLIENT_A)).toBe(true);
    expect(can([viewerOfA], 'campaigns.read', CLIENT_B)).toBe(false);
    expect(can([viewerOfA], 'campaigns.read')).toBe(false);
  });

  it('never lets a client-limited grant carry agency-only permissions', () => {
    for (const permission of ORG_ONLY_PERMISSIONS) expect(can([adminOfA], permission, CLIENT_A)).toBe(false);
  });

  it('combines grants', () => {
    expect(can([viewerOfA, { role: 'operator', clientIds: [CLIENT_B] }], 'campaigns.edit', CLIENT_B)).toBe(true);
    expect(can([viewerOfA, { role: 'operator', clientIds: [CLIENT_B] }], 'campaigns.edit', CLIENT_A)).toBe(false);
  });
});

describe('clientScope', () => {
  it('is all for an org-wide grant', () => {
    expect(clientScope([{ role: 'analyst', clientIds: null }], 'metrics.read')).toBe('all');
  });

  it('lists the union of client grants that carry the permission', () => {
    const grants: Grant[] = [
      { role: 'client_viewer', clientIds: [CLIENT_A] },
      { role: 'operator', clientIds: [CLIENT_B] },
    ];
    const scope = clientScope(grants, 'campaigns.read');
    expect(scope === 'all' ? scope : [...scope].sort()).toEqual([CLIENT_A, CLIENT_B].sort());
    expect(clientScope(grants, 'campaigns.edit')).toEqual([CLIENT_B]);
  });

  it('is empty when no grant carries the permission', () => {
    expect(clientScope([{ role: 'client_viewer', clientIds: [CLIENT_A] }], 'budgets.approve')).toEqual([]);
  });
});

describe('grantSchema', () => {
  it('refuses a client_viewer grant without clients', () => {
    const parsed = grantSchema.safeParse({ role: 'client_viewer', clientIds: null });
    expect(parsed.success).toBe(false);
  });

  it('refuses an empty client list and unknown roles', () => {
    expect(grantSchema.safeParse({ role: 'operator', clientIds: [] }).success).toBe(false);
    expect(grantSchema.safeParse({ role: 'superuser', clientIds: null }).success).toBe(false);
  });
});
