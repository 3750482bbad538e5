import { AppError } from '@kiki/shared/errors';
import type { RpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import type { Client } from '@kiki/shared/domain/client.schema';
import { EMPTY_TOTALS } from '@kiki/shared/domain/metrics.schema';
import { createSignedOutSyncHandlers } from './signed-out-sync-handlers';

type EventListener = (event: string, payload: unknown) => void;

/** Same shape as core's AppCore, small enough to reason about in transport and host tests. */
export interface FakeAppCore {
  handlers: RpcHandlers;
  onEvent: (listener: EventListener) => () => void;
  close: () => void;
  emit: (event: string, payload: unknown) => void;
  readonly closed: boolean;
  readonly listenerCount: number;
}

export function makeClient(overrides: Partial<Client> = {}): Client {
  return {
    id: '0190f5a2-7c3e-7a10-8b2c-111111111111',
    name: 'Acme Outdoor',
    currency: 'USD',
    timezone: 'America/New_York',
    ...overrides,
  };
}

/**
 * An AppCore with a fixed list of clients and no campaigns. Lookups of campaigns and ads fail with
 * NOT_FOUND the way the real core does for an unknown id.
 */
export function createFakeAppCore(clients: Client[] = [makeClient()]): FakeAppCore {
  const listeners = new Set<EventListener>();
  let closed = false;
  const handlers: RpcHandlers = {
    'app.status': () => ({
      appVersion: '0.1.0-test',
      schemaVersion: 1,
      counts: { clients: clients.length, campaigns: 0, ads: 0, metricRows: 0 },
      latestMetricDate: null,
    }),
    'clients.list': () => ({ clients: [...clients].sort((a, b) => a.name.localeCompare(b.name)) }),
    'dashboard.summary': ({ range }) => ({
      range,
      previousRange: range,
      byCurrency: [...new Set(clients.map((c) => c.currency))].map((currency) => ({
        currency,
        current: EMPTY_TOTALS,
        previous: EMPTY_TOTALS,
      })),
    }),
    'dashboard.trend': ({ granularity }) => ({ granularity, series: [] }),
    'dashboard.platformBreakdown': () => ({ rows: [] }),
    'campaigns.list': () => ({ total: 0, rows: [] }),
    'campaigns.detail': ({ campaignId }) => {
      throw new AppError('NOT_FOUND', `Campaign ${campaignId} is not in the local cache. Sync, then try again.`);
    },
    'ads.detail': ({ adId }) => {
      throw new AppError('NOT_FOUND', `Ad ${adId} is not in the local cache. Sync, then try again.`);
    },
    ...createSignedOutSyncHandlers(),
  };
  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      closed = true;
      listeners.clear();
    },
    emit(event, payload) {
      for (const listener of [...listeners]) listener(event, payload);
    },
    get closed() {
      return closed;
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
