import type { Role } from '@kiki/shared/permissions';
import type { Session } from '@kiki/shared/contract/sync-contract';

/** Roles as operators say them, with what each may do, so "analyst" does not leave anyone guessing. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  admin: 'Agency admin',
  manager: 'Account manager',
  operator: 'Campaign operator',
  analyst: 'Analyst (view only)',
  client_viewer: 'Client viewer',
};

type Grant = Extract<Session, { state: 'signedIn' }>['roles'][number];

/** "Campaign operator for Acme Outdoor, Nordic Bikes" or "Agency admin, all clients". */
export function describeGrant(grant: Grant, clientName: (id: string) => string | undefined): string {
  const role = ROLE_LABELS[grant.role];
  if (grant.clientIds === null) return `${role}, all clients`;
  const names = grant.clientIds.map(clientName).filter((n): n is string => n !== undefined);
  const unknown = grant.clientIds.length - names.length;
  if (unknown > 0) names.push(unknown === 1 ? '1 more client' : `${unknown} more clients`);
  return names.length === 0 ? `${role}, no clients` : `${role} for ${names.join(', ')}`;
}
