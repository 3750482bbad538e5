import { sql, type Kysely } from 'kysely';

/**
 * The database role the server serves requests as (created by migration 0001): it may read and write the
 * data model, may only INSERT and SELECT audit rows, and owns nothing, so it cannot disable or drop the
 * audit trigger either. Migrations and the admin CLI run as the owning user instead.
 */
export const APP_ROLE = 'kiki_app';

/** Whether the connected user may act as the app role: the role exists and the user is a member (or superuser). */
export async function canActAsAppRole<T>(db: Kysely<T>): Promise<boolean> {
  const result = await sql<{ allowed: boolean }>`
    select case
      when exists (select 1 from pg_roles where rolname = ${APP_ROLE})
        then pg_has_role(current_user, ${APP_ROLE}, 'MEMBER')
      else false
    end as allowed`.execute(db);
  return result.rows[0]?.allowed === true;
}
