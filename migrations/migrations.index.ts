import type { Migration } from 'kysely/migration';
import * as initialSchema from './0001-initial-schema';
import * as dropRawMetricsClientIndex from './0002-drop-raw-metrics-client-index';
import * as currencyDayRollup from './0003-currency-day-rollup';
import * as cacheCounters from './0004-cache-counters';
import * as sync from './0005-sync';

/**
 * Every desktop migration, by name. A static list because folder scanning breaks inside app.asar;
 * names sort in the order they run.
 */
export const desktopMigrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-drop-raw-metrics-client-index': dropRawMetricsClientIndex,
  '0003-currency-day-rollup': currencyDayRollup,
  '0004-cache-counters': cacheCounters,
  '0005-sync': sync,
};
