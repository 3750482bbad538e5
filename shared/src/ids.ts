import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/** Ids are UUIDv7 strings made by whoever creates the row, so they can be made offline. */
export function newId(): string {
  return uuidv7();
}

export const idSchema = z.uuid();
