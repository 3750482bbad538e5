import type BetterSqlite3 from 'better-sqlite3';
import type { z } from 'zod';
import { newId } from '@kiki/shared/ids';
import { appErrorSchema, type AppErrorShape } from '@kiki/shared/errors';
import { signedInSessionSchema } from '@kiki/shared/contract/sync-contract';

export type SyncRole = z.infer<typeof signedInSessionSchema>['roles'][number];

/** The device's single sync_state row, mapped. Tokens are never here: they live in the OS keychain. */
export interface SyncStateRecord {
  /** Per-install id, made once; survives sign-out. */
  clientInstallId: string;
  deviceId: string | null;
  serverUrl: string | null;
  cursor: string | null;
  userId: string | null;
  userEmail: string | null;
  userDisplayName: string | null;
  orgId: string | null;
  orgName: string | null;
  roles: SyncRole[];
  lastSyncedAt: string | null;
  initialSyncDone: boolean;
  lastError: AppErrorShape | null;
}

export interface SignedInIdentity {
  serverUrl: string;
  deviceId: string;
  user: { id: string; email: string; displayName: string };
  org: { id: string; name: string };
  roles: SyncRole[];
}

interface SyncStateRow {
  client_install_id: string;
  device_id: string | null;
  server_url: string | null;
  cursor: string | null;
  user_id: string | null;
  user_email: string | null;
  user_display_name: string | null;
  org_id: string | null;
  org_name: string | null;
  roles_json: string;
  last_synced_at: string | null;
  initial_sync_done: number;
  last_error_json: string | null;
}

const rolesSchema = signedInSessionSchema.shape.roles;

/** The row is created lazily so a fresh cache gets its install id the first time sync looks. */
function ensureRow(sqlite: BetterSqlite3.Database): void {
  sqlite.prepare('INSERT INTO sync_state (id, client_install_id) VALUES (1, ?) ON CONFLICT DO NOTHING').run(newId());
}

function parseJson<T>(text: string | null, schema: z.ZodType<T>, fallback: T): T {
  if (text === null) return fallback;
  const parsed = schema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : fallback;
}

export function getSyncState(sqlite: BetterSqlite3.Database): SyncStateRecord {
  ensureRow(sqlite);
  const row = sqlite
    .prepare<[], SyncStateRow>(
      `SELECT client_install_id, device_id, server_url, cursor, user_id, user_email, user_display_name, org_id,
         org_name, roles_json, last_synced_at, initial_sync_done, last_error_json
       FROM sync_state WHERE id = 1`,
    )
    .get() as SyncStateRow;
  return {
    clientInstallId: row.client_install_id,
    deviceId: row.device_id,
    serverUrl: row.server_url,
    cursor: row.cursor,
    userId: row.user_id,
    userEmail: row.user_email,
    userDisplayName: row.user_display_name,
    orgId: row.org_id,
    orgName: row.org_name,
    roles: parseJson(row.roles_json, rolesSchema, []),
    lastSyncedAt: row.last_synced_at,
    initialSyncDone: row.initial_sync_done === 1,
    lastError: parseJson(row.last_error_json, appErrorSchema, null),
  };
}

export function saveSignedInIdentity(sqlite: BetterSqlite3.Database, identity: SignedInIdentity): void {
  ensureRow(sqlite);
  sqlite
    .prepare(
      `UPDATE sync_state SET server_url = @serverUrl, device_id = @deviceId, user_id = @userId,
         user_email = @userEmail, user_display_name = @userDisplayName, org_id = @orgId, org_name = @orgName,
         roles_json = @rolesJson
       WHERE id = 1`,
    )
    .run({
      serverUrl: identity.serverUrl,
      deviceId: identity.deviceId,
      userId: identity.user.id,
      userEmail: identity.user.email,
      userDisplayName: identity.user.displayName,
      orgId: identity.org.id,
      orgName: identity.org.name,
      rolesJson: JSON.stringify(identity.roles),
    });
}

export function setPullCursor(sqlite: BetterSqlite3.Database, cursor: string | null): void {
  ensureRow(sqlite);
  sqlite.prepare('UPDATE sync_state SET cursor = ? WHERE id = 1').run(cursor);
}

export function setInitialSyncDone(sqlite: BetterSqlite3.Database, done: boolean): void {
  ensureRow(sqlite);
  sqlite.prepare('UPDATE sync_state SET initial_sync_done = ? WHERE id = 1').run(done ? 1 : 0);
}

/** A sync round finished: records when, and clears the last error. */
export function markSynced(sqlite: BetterSqlite3.Database, at: Date): void {
  ensureRow(sqlite);
  sqlite.prepare('UPDATE sync_state SET last_synced_at = ?, last_error_json = NULL WHERE id = 1').run(at.toISOString());
}

export function setLastError(sqlite: BetterSqlite3.Database, error: AppErrorShape | null): void {
  ensureRow(sqlite);
  sqlite
    .prepare('UPDATE sync_state SET last_error_json = ? WHERE id = 1')
    .run(error === null ? null : JSON.stringify(error));
}

/**
 * Forgets who is signed in (sign-out). The server URL stays so the sign-in form can offer it again; the pull
 * cursor goes because it belongs to the old session's data (callers also run resetSyncedData).
 */
export function clearIdentity(sqlite: BetterSqlite3.Database): void {
  ensureRow(sqlite);
  sqlite
    .prepare(
      `UPDATE sync_state SET device_id = NULL, user_id = NULL, user_email = NULL, user_display_name = NULL,
         org_id = NULL, org_name = NULL, roles_json = '[]', cursor = NULL, initial_sync_done = 0,
         last_error_json = NULL, last_synced_at = NULL
       WHERE id = 1`,
    )
    .run();
}
