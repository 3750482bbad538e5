import type { Kysely } from 'kysely';
import { newId } from '@kiki/shared/ids';
import type { Database } from '../db/database';
import type { RequestContext } from './request-context';

/**
 * Records an auth event that belongs to no agency, such as a failed sign-in for an email no user has.
 * Such events cannot join a per-agency audit chain, so they go to this plain table instead.
 */
export async function recordOrphanAuthEvent(
  db: Kysely<Database>,
  event: string,
  email: string | null,
  context: RequestContext,
  now: Date,
): Promise<void> {
  await db
    .insertInto('auth_events')
    .values({
      id: newId(),
      org_id: null,
      user_id: null,
      event,
      // Bounded: the column is for spotting credential stuffing, not for storing whatever was typed.
      email: email === null ? null : email.slice(0, 320),
      ip: context.ip,
      user_agent: context.userAgent === null ? null : context.userAgent.slice(0, 512),
      request_id: context.requestId,
      created_at: now,
    })
    .execute();
}
