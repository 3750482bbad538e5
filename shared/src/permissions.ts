import { z } from 'zod';

/**
 * One permission matrix for the server and the desktop. Deny by default: a role has exactly the
 * permissions listed for it here and nothing else.
 */
export const roleSchema = z.enum(['owner', 'admin', 'manager', 'operator', 'analyst', 'client_viewer']);
export type Role = z.infer<typeof roleSchema>;

export const ROLES: readonly Role[] = roleSchema.options;

export const permissionSchema = z.enum([
  // Agency (tenant) level
  'org.read',
  'org.settings.manage',
  'users.read',
  'users.manage',
  'roles.manage',
  'sessions.manage',
  'audit.read',
  // Client (advertiser) scoped
  'clients.read',
  'clients.manage',
  'campaigns.read',
  'campaigns.edit',
  'budgets.request',
  'budgets.approve',
  'connectors.run',
  'metrics.read',
  'metrics.ingest',
  'exports.create',
  'alerts.manage',
  'experiments.manage',
]);
export type Permission = z.infer<typeof permissionSchema>;

/** Permissions that only make sense for the whole agency; a client-limited grant never carries them. */
export const ORG_ONLY_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  'org.settings.manage',
  'users.manage',
  'roles.manage',
  'sessions.manage',
  'audit.read',
]);

const READ: Permission[] = ['org.read', 'clients.read', 'campaigns.read', 'metrics.read'];

export const PERMISSION_MATRIX: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  owner: new Set<Permission>(permissionSchema.options),
  admin: new Set<Permission>([
    ...READ,
    'org.settings.manage',
    'users.read',
    'users.manage',
    'roles.manage',
    'sessions.manage',
    'audit.read',
    'clients.manage',
    'exports.create',
  ]),
  manager: new Set<Permission>([
    ...READ,
    'users.read',
    'campaigns.edit',
    'budgets.request',
    'budgets.approve',
    'connectors.run',
    'metrics.ingest',
    'exports.create',
    'alerts.manage',
    'experiments.manage',
  ]),
  operator: new Set<Permission>([
    ...READ,
    'users.read',
    'campaigns.edit',
    'budgets.request',
    'connectors.run',
    'metrics.ingest',
    'exports.create',
    'alerts.manage',
    'experiments.manage',
  ]),
  analyst: new Set<Permission>([...READ, 'users.read', 'exports.create']),
  client_viewer: new Set<Permission>([...READ]),
};

/**
 * A role held by a user in an agency. `clientIds: null` means org-wide; a list limits the grant to
 * those clients. A `client_viewer` grant must always list its clients.
 */
export const grantSchema = z
  .object({
    role: roleSchema,
    clientIds: z.array(z.uuid()).min(1).nullable(),
  })
  .refine((g) => g.role !== 'client_viewer' || g.clientIds !== null, {
    message: 'a client_viewer grant must name the clients it may see',
    path: ['clientIds'],
  });
export type Grant = z.infer<typeof grantSchema>;

export function roleHas(role: Role, permission: Permission): boolean {
  return PERMISSION_MATRIX[role].has(permission);
}

/**
 * Whether a set of grants allows `permission`. Without `clientId` the check is agency-wide: only an
 * org-wide grant counts. With `clientId`, an org-wide grant or one listing that client counts.
 */
export function can(grants: readonly Grant[], permission: Permission, clientId?: string): boolean {
  return grants.some((grant) => {
    if (!roleHas(grant.role, permission)) return false;
    if (grant.clientIds === null) return true;
    if (ORG_ONLY_PERMISSIONS.has(permission)) return false;
    return clientId !== undefined && grant.clientIds.includes(clientId);
  });
}

/**
 * Which clients `permission` reaches: `'all'` for an org-wide grant, otherwise the listed client ids
 * (possibly empty, meaning none).
 */
export function clientScope(grants: readonly Grant[], permission: Permission): 'all' | string[] {
  const ids = new Set<string>();
  for (const grant of grants) {
    if (!roleHas(grant.role, permission)) continue;
    if (grant.clientIds === null) return 'all';
    if (ORG_ONLY_PERMISSIONS.has(permission)) continue;
    for (const id of grant.clientIds) ids.add(id);
  }
  return [...ids];
}
