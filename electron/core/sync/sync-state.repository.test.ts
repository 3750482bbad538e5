import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type AppDatabase } from '../db/open-database';
import {
  clearIdentity,
  getSyncState,
  markSynced,
  saveSignedInIdentity,
  setInitialSyncDone,
  setLastError,
  setPullCursor,
} from './sync-state.repository';

let handle: AppDatabase;
beforeEach(async () => {
  handle = await openDatabase({ filename: ':memory:' });
});
afterEach(async () => {
  await handle.close();
});

const identity = {
  serverUrl: 'https://kiki.agency.test',
  deviceId: '0190a6f6-7d1e-7000-8000-000000000001',
  user: { id: '0190a6f6-7d1e-7000-8000-000000000002', email: 'ana@agency.test', displayName: 'Ana' },
  org: { id: '0190a6f6-7d1e-7000-8000-000000000003', name: 'Agency' },
  roles: [{ role: 'manager' as const, clientIds: ['0190a6f6-7d1e-7000-8000-000000000004'] }],
};

describe('sync state', () => {
  it('starts signed out with a stable install id', () => {
    const first = getSyncState(handle.sqlite);
    expect(first).toMatchObject({ deviceId: null, serverUrl: null, cursor: null, roles: [], initialSyncDone: false });
    expect(getSyncState(handle.sqlite).clientInstallId).toBe(first.clientInstallId);
  });

  it('remembers who signed in, progress and errors, and forgets the identity but not the server on sign-out', () => {
    saveSignedInIdentity(handle.sqlite, identity);
    setPullCursor(handle.sqlite, 'v42');
    setInitialSyncDone(handle.sqlite, true);
    setLastError(handle.sqlite, { code: 'UNAVAILABLE', message: 'The team server is not answering; retrying.' });
    expect(getSyncState(handle.sqlite)).toMatchObject({
      serverUrl: identity.serverUrl,
      deviceId: identity.deviceId,
      userId: identity.user.id,
      userEmail: 'ana@agency.test',
      userDisplayName: 'Ana',
      orgId: identity.org.id,
      orgName: 'Agency',
      roles: identity.roles,
      cursor: 'v42',
      initialSyncDone: true,
      lastError: { code: 'UNAVAILABLE', message: 'The team server is not answering; retrying.' },
    });
    markSynced(handle.sqlite, new Date('2026-03-01T10:00:00.000Z'));
    expect(getSyncState(handle.sqlite)).toMatchObject({ lastSyncedAt: '2026-03-01T10:00:00.000Z', lastError: null });

    clearIdentity(handle.sqlite);
    expect(getSyncState(handle.sqlite)).toMatchObject({
      serverUrl: identity.serverUrl,
      deviceId: null,
      userId: null,
      orgId: null,
      roles: [],
      cursor: null,
      initialSyncDone: false,
    });
  });
});
