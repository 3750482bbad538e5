import { AppError } from '@kiki/shared/errors';
import type { Grant, Role } from '@kiki/shared/permissions';
import type { Access } from '../../plugins/rbac';

export function isOrgOwner(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.role === 'owner' && g.clientIds === null);
}

/**
 * roles.manage lets an admin run the team, but not hand out (or take away) more power than an admin
 * has: only an owner grants or revokes the owner role.
 */
export function assertMayGrant(access: Access, role: Role): void {
  if (role === 'owner' && !isOrgOwner(access.grants)) {
    throw new AppError('FORBIDDEN', 'Only an owner can grant or revoke the owner role.');
  }
}
