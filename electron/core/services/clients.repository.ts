import type { Kysely, Selectable } from 'kysely';
import type { Client } from '@kiki/shared/domain/client.schema';
import type { ClientsTable, Database } from '../db/database.types';

function toClient(row: Pick<Selectable<ClientsTable>, 'id' | 'name' | 'currency' | 'timezone'>): Client {
  return { id: row.id, name: row.name, currency: row.currency, timezone: row.timezone };
}

export async function listClients(db: Kysely<Database>): Promise<Client[]> {
  const rows = await db
    .selectFrom('clients')
    .select(['id', 'name', 'currency', 'timezone'])
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toClient);
}

export async function findClient(db: Kysely<Database>, clientId: string): Promise<Client | undefined> {
  const row = await db
    .selectFrom('clients')
    .select(['id', 'name', 'currency', 'timezone'])
    .where('id', '=', clientId)
    .executeTakeFirst();
  return row === undefined ? undefined : toClient(row);
}

/** Currencies the agency's clients bill in, sorted: the "All clients" views show one entry each. */
export async function listClientCurrencies(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('clients').select('currency').distinct().orderBy('currency').execute();
  return rows.map((r) => r.currency);
}
