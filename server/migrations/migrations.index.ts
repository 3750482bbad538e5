import type { Migration, MigrationProvider } from 'kysely/migration';
import * as core from './0001_core';
import * as auth from './0002_auth';
import * as sync from './0003_sync';
import * as metricsSnapshotIndex from './0004_metrics_snapshot_index';

/**
 * A static list rather than a folder scan, so migrations survive bundling. Never edit a merged
 * migration: add the next one here.
 */
export const serverMigrations: Readonly<Record<string, Migration>> = {
  '0001_core': core,
  '0002_auth': auth,
  '0003_sync': sync,
  '0004_metrics_snapshot_index': metricsSnapshotIndex,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...serverMigrations }),
};

export const LATEST_MIGRATION = Object.keys(serverMigrations).sort().at(-1) ?? '';
