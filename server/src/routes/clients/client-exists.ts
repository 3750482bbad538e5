import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { Database } from '../../db/database';

/** A filter naming a client of another agency answers like a missing client rather than an empty list. */
export async function assertClientInOrg(db: Kysely<Database>, orgId: string, clientId: string): Promise<void> {
  const found = await db
    .selectFrom('clients')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', clientId)
    .executeTakeFirst();
  if (found === undefined) throw new AppError('NOT_FOUND', 'No such client in your agency.');
}
