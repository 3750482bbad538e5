import type { FastifyRequest } from 'fastify';
import { AppError } from '@kiki/shared/errors';
import {
  SYNC_MIN_SUPPORTED_VERSION,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
} from '@kiki/shared/sync/sync-protocol';

const SUPPORTED = { supported: [SYNC_MIN_SUPPORTED_VERSION, SYNC_PROTOCOL_VERSION] };

/**
 * The sync protocol version a request speaks, from its `x-kiki-schema-version` header. A device outside
 * [SYNC_MIN_SUPPORTED_VERSION, SYNC_PROTOCOL_VERSION] gets 426 UPDATE_REQUIRED instead of data it would
 * misread; the message says which side has to be updated.
 */
export function assertSyncSchemaVersion(request: Pick<FastifyRequest, 'headers'>): number {
  const raw = request.headers[SYNC_SCHEMA_VERSION_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) {
    throw new AppError(
      'UPDATE_REQUIRED',
      `This app does not say which sync protocol it speaks (${SYNC_SCHEMA_VERSION_HEADER} header): update KIKI Desktop to the latest version.`,
      SUPPORTED,
    );
  }
  const version = Number(value.trim());
  if (version < SYNC_MIN_SUPPORTED_VERSION) {
    throw new AppError(
      'UPDATE_REQUIRED',
      `This version of KIKI Desktop is too old for the team server (sync protocol ${version}; the server supports ${SYNC_MIN_SUPPORTED_VERSION} to ${SYNC_PROTOCOL_VERSION}): update the app.`,
      SUPPORTED,
    );
  }
  if (version > SYNC_PROTOCOL_VERSION) {
    throw new AppError(
      'UPDATE_REQUIRED',
      `KIKI Desktop is newer than the team server (sync protocol ${version}; the server supports up to ${SYNC_PROTOCOL_VERSION}): ask your admin to update the server.`,
      SUPPORTED,
    );
  }
  return version;
}

/** preValidation hook form, so the version is checked before the body (whose shape may differ) is validated. */
export async function requireSyncSchemaVersion(request: FastifyRequest): Promise<void> {
  assertSyncSchemaVersion(request);
  return Promise.resolve();
}
