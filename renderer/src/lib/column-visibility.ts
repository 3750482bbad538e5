import { z } from 'zod';

export type ColumnVisibility = Record<string, boolean>;

const storedSchema = z.record(z.string(), z.boolean());

/**
 * Which table columns the operator chose to see, remembered across sessions. Unknown or corrupt stored values
 * fall back to the defaults; columns added in a later version appear with their default visibility.
 */
export function readColumnVisibility(raw: string | null, defaults: Readonly<ColumnVisibility>): ColumnVisibility {
  if (raw === null) return { ...defaults };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ...defaults };
  }
  const stored = storedSchema.safeParse(parsed);
  if (!stored.success) return { ...defaults };
  const result: ColumnVisibility = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const value = stored.data[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

export function serializeColumnVisibility(visibility: Readonly<ColumnVisibility>): string {
  return JSON.stringify(visibility);
}
