import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import type { registerResponseSchema } from '@kiki/shared/sync/sync-protocol';
import { appendAudit } from '../audit/audit.service';
import type { Database, SyncDevicesTable } from '../db/database';
import { currentSyncVersion, type SyncActor } from './sync-access';

export type SyncDeviceRow = Selectable<SyncDevicesTable>;
type RegisterResponse = z.infer<typeof registerResponseSchema>;

interface RegisterInput {
  deviceId: string;
  lastMutationId: number;
  deviceName?: string | undefined;
}

/** The refusals of another user's device, so auditForeignDevice tells them from every other FORBIDDEN. */
const foreignDeviceRefusals = new WeakSet<Error>();

function notYours(): AppError {
  const error = new AppError(
    'FORBIDDEN',
    'This device id is registered to another user: sign out and sign in again so the app starts a new device.',
  );
  foreignDeviceRefusals.add(error);
  return error;
}

/**
 * Runs one sync request and, when it was refused for using another user's device id, records the attempt in
 * the actor's agency before the 403 goes out: a device id is not a secret, but trying someone else's is worth a
 * trace. The refusal usually happens inside the request's own transaction, which rolls back, so the audit row
 * gets a transaction of its own.
 */
export async function auditForeignDevice<T>(
  db: Kysely<Database>,
  actor: Pick<SyncActor, 'orgId' | 'userId'> & Partial<Pick<SyncActor, 'ip' | 'requestId'>>,
  deviceId: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error && foreignDeviceRefusals.has(error)) {
      await db.transaction().execute((trx) =>
        appendAudit(trx, {
          orgId: actor.orgId,
          actorUserId: actor.userId,
          action: 'sync.device_rejected',
          entityType: 'sync_device',
          entityId: deviceId,
          data: { deviceId, reason: 'registered to another user' },
          ip: actor.ip ?? null,
          requestId: actor.requestId ?? null,
        }),
      );
    }
    throw error;
  }
}

/**
 * The caller's own device, optionally locked for the rest of the transaction (push serializes a device's
 * mutations on this row lock). Another user's device is refused, never read.
 */
export async function ownDevice(
  db: Kysely<Database>,
  actor: Pick<SyncActor, 'orgId' | 'userId'>,
  deviceId: string,
  options: { forUpdate?: boolean } = {},
): Promise<SyncDeviceRow> {
  const device = await db
    .selectFrom('sync_devices')
    .selectAll()
    .where('id', '=', deviceId)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
  if (device === undefined) {
    throw new AppError(
      'NOT_FOUND',
      'This device is not registered with the team server: register it, then sync again.',
    );
  }
  if (device.user_id !== actor.userId || device.org_id !== actor.orgId) throw notYours();
  return device;
}

/**
 * Registers a device for the signed-in user, or greets it again. Only the first registration takes the
 * device's lastMutationId; afterwards the server's own record wins, so a device that lost its state learns
 * which of its mutation ids were already processed.
 */
export async function registerDevice(
  db: Kysely<Database>,
  actor: SyncActor,
  input: RegisterInput,
): Promise<RegisterResponse> {
  return auditForeignDevice(db, actor, input.deviceId, () => registerOwnDevice(db, actor, input));
}

async function registerOwnDevice(
  db: Kysely<Database>,
  actor: SyncActor,
  input: RegisterInput,
): Promise<RegisterResponse> {
  const name = input.deviceName === undefined || input.deviceName === '' ? null : input.deviceName;
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sync_devices')
      .values({
        id: input.deviceId,
        org_id: actor.orgId,
        user_id: actor.userId,
        name,
        last_mutation_id: input.lastMutationId,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const device = await ownDevice(trx, actor, input.deviceId, { forUpdate: true });
    await trx
      .updateTable('sync_devices')
      .set((eb) => ({
        last_seen_at: new Date(),
        name: name ?? eb.ref('name'),
      }))
      .where('id', '=', device.id)
      .execute();
    const { version } = await currentSyncVersion(trx, actor.orgId);
    return { deviceId: device.id, lastAckedMutationId: device.last_mutation_id, serverVersion: version };
  });
}
