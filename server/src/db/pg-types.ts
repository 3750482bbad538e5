import pg from 'pg';
import type { CustomTypesConfig } from 'pg';

const INT8_OID = 20;
const DATE_OID = 1082;

function parseInt8(value: string): number {
  const n = Number(value);
  // Money is micros and counters are row counts; both stay far below 2^53. Fail loudly rather than round.
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${value} does not fit in a JavaScript number`);
  return n;
}

/**
 * Per-pool type parsers: bigint as number (pg's default is a string) and `date` as the 'YYYY-MM-DD'
 * text itself (pg's default is a Date at local midnight, which shifts days across timezones).
 */
export const pgTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return parseInt8;
    if (oid === DATE_OID) return (value: string) => value;
    const fallback: unknown = format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
    return fallback;
  }) as CustomTypesConfig['getTypeParser'],
};
