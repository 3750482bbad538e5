import { sql, type Kysely } from 'kysely';

/**
 * "All clients" daily trends over two years read ~3x fewer rows from a per-currency day rollup without
 * the platform dimension; backfilled from the per-platform one so existing caches stay exact.
 *
 * Frozen once merged: fix forward in a new migration, never edit this file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE rollup_currency_day (
    currency TEXT NOT NULL,
    date TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_micros INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY (currency, date)
  ) WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO rollup_currency_day
    SELECT currency, date, SUM(impressions), SUM(clicks), SUM(spend_micros), SUM(conversions), SUM(revenue_micros)
    FROM rollup_currency_platform_day GROUP BY currency, date`.execute(db);
}
