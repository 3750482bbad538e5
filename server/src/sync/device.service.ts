import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import type { registerResponseSchema } from '@kiki/shared/sync/sync-protocol';
import type { Database, SyncDevicesTable } from '../db/database';
import { currentSyncVersion, type SyncActor } from './sync-access';

export type SyncDeviceRow = Selectable<SyncDevicesTable>;
type RegisterResponse = z.infer<typeof registerResponseSchema>;

interface RegisterInput {
  deviceId: string;
  lastMutationId: number;
  deviceName?: string | undefined;
}

function notYours(): AppError {
  return new AppError(
    'FORBIDDEN',
    'This device id is registered to another user: sign out and sign in again so the app starts a new device.',
  );
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
