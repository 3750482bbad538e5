import type { Migration } from 'kysely/migration';
import * as initialSchema from './0001-initial-schema';

/**
 * Every desktop migration, by name. A static list because folder scanning breaks inside app.asar;
 * names sort in the order they run.
 */
export const desktopMigrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
};
