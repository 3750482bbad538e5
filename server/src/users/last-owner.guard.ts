import type { Transaction } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { Database } from '../db/database';

/**
 * Refuses to disable the agency's last active org-wide owner, the only person who can manage the other owners.
 * Call inside the transaction that disables `userId`, before the update.
 *
 * Every org-wide owner grant is locked first (the same rows revoking an owner grant locks), so two owners
 * disabling each other, or a disable racing a revoke, are serialised: the second one waits, then counts the
 * committed result of the first and is refused.
 */
export async function assertAnotherActiveOwnerRemains(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
): Promise<void> {
  const ownerGrants = await trx
    .selectFrom('memberships')
    .select(['id', 'user_id'])
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .where('client_ids', 'is', null)
    // A fixed order keeps concurrent lockers of the same rows from deadlocking each other.
    .orderBy('id')
    .forUpdate()
    .execute();
  if (!ownerGrants.some((g) => g.user_id === userId)) return;
  const otherOwnerIds = ownerGrants.map((g) => g.user_id).filter((id) => id !== userId);
  const activeOthers =
    otherOwnerIds.length === 0
      ? []
      : await trx
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', orgId)
          .where('id', 'in', otherOwnerIds)
          .where('status', '=', 'active')
          .execute();
  if (activeOthers.length === 0) {
    throw new AppError(
      'CONFLICT',
      'This is the last active owner of the agency; make someone else owner (or enable another owner) first.',
    );
  }
}
