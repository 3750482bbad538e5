import { createContext, useContext } from 'react';
import type { RpcOutput } from '@kiki/shared/contract/rpc-contract';
import type { Client } from '@kiki/shared/domain/client.schema';
import type { IsoDate } from '@kiki/shared/dates';

export interface AppData {
  status: RpcOutput<'app.status'>;
  clients: readonly Client[];
  clientsById: ReadonlyMap<string, Client>;
  /** The day date presets count back from (see effectiveToday). */
  today: IsoDate;
  /** True when the cache holds no campaigns at all: pages show how to get data instead of zeros. */
  isEmpty: boolean;
}

export const AppDataContext = createContext<AppData | null>(null);

export function useAppData(): AppData {
  const data = useContext(AppDataContext);
  if (data === null) throw new Error('useAppData must be used inside the app shell');
  return data;
}
