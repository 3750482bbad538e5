import { z } from 'zod';

/** Money is integer micros (1 unit = 1,000,000 micros) in the client's currency; never a float. */
export const MICROS_PER_UNIT = 1_000_000;

export const microsSchema = z.number().int().safe();

/** ISO 4217 code, upper case. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code like USD');

export function unitsToMicros(units: number): number {
  return Math.round(units * MICROS_PER_UNIT);
}

export function microsToUnits(micros: number): number {
  return micros / MICROS_PER_UNIT;
}
