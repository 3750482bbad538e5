import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/audit/audit.service';
import { APP_ROLE, canActAsAppRole } from '../../src/db/app-role';
import { createDatabase } from '../../src/db/create-database';
import type { Database } from '../../src/db/database';
import { createOrg } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

let database: TestDatabase;
let appDb: Kysely<Database>;

beforeAll(async () => {
  database = await createTestDatabase();
  appDb = createDatabase({ url: database.url, role: APP_ROLE, maxConnections: 2 });
});
afterAll(async () => {
  await appDb.destroy();
  await database.destroy();
});

describe('the role the server serves requests as', () => {
  it('is available to the migrating user and is what app connections run as', async () => {
    expect(await canActAsAppRole(database.db)).toBe(true);
    const who = await sql<{ role: string }>`select current_role as role`.execute(appDb);
    expect(who.rows[0]?.role).toBe(APP_ROLE);
  });

  it('appends audit rows but can neither change, delete nor unguard them', async () => {
    const org = await createOrg(database.db);
    await appDb.transaction().execute((trx) =>
      appendAudit(trx, {
        orgId: org.id,
        actorUserId: null,
        action: 'client.updated',
        entityType: 'client',
        entityId: null,
      }),
    );
    const rows = await appDb.selectFrom('audit_log').select('id').where('org_id', '=', org.id).execute();
    expect(rows.length).toBeGreaterThan(0);

    await expect(
      appDb.updateTable('audit_log').set({ action: 'forged' }).where('org_id', '=', org.id).execute(),
    ).rejects.toThrow(/permission denied/);
    await expect(appDb.deleteFrom('audit_log').where('org_id', '=', org.id).execute()).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`alter table audit_log disable trigger user`.execute(appDb)).rejects.toThrow(/must be owner/);
    await expect(sql`drop table audit_log`.execute(appDb)).rejects.toThrow(/must be owner/);
  });

  it('refuses a role name that is not a plain identifier', () => {
    expect(() => createDatabase({ url: database.url, role: 'kiki_app -c search_path=evil' })).toThrow(/plain role/);
  });
});
