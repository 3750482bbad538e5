import type { LightMyRequestResponse } from 'fastify';
import { newId } from '@kiki/shared/ids';
import {
  pullResponseSchema,
  pushResponseSchema,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
  type PullResponse,
  type PushResponse,
  type WireMutation,
} from '@kiki/shared/sync/sync-protocol';
import type { TestApp } from '../helpers/test-app';

export const SYNC_HEADERS = { [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION) };

export type MutationInput = Omit<WireMutation, 'id' | 'createdAt'> & { id?: number };

/** A device of one user talking to the test app the way the desktop does: register, push, pull. */
export interface TestDevice {
  deviceId: string;
  /** The id the next `push` gives its first mutation unless told otherwise. */
  nextId: number;
  register(lastMutationId?: number): Promise<LightMyRequestResponse>;
  pushRaw(mutations: MutationInput[]): Promise<LightMyRequestResponse>;
  push(...mutations: MutationInput[]): Promise<PushResponse>;
  pullRaw(body: { cursor: string | null; knownClientIds?: string[]; limit?: number }): Promise<LightMyRequestResponse>;
  pull(body: { cursor: string | null; knownClientIds?: string[]; limit?: number }): Promise<PullResponse>;
}

export async function testDevice(
  t: TestApp,
  user: { id: string; orgId: string },
  deviceId: string = newId(),
): Promise<TestDevice> {
  const headers = { ...(await t.authHeader(user)), ...SYNC_HEADERS };
  const device: TestDevice = {
    deviceId,
    nextId: 1,
    register: (lastMutationId = 0) =>
      t.app.inject({ method: 'POST', url: SYNC_PATHS.register, headers, payload: { deviceId, lastMutationId } }),
    pushRaw: async (mutations) => {
      const wire = mutations.map((m, i) => ({
        ...m,
        id: m.id ?? device.nextId + i,
        createdAt: new Date().toISOString(),
      }));
      const res = await t.app.inject({
        method: 'POST',
        url: SYNC_PATHS.push,
        headers,
        payload: { deviceId, mutations: wire },
      });
      if (res.statusCode === 200) {
        const body = pushResponseSchema.parse(res.json());
        device.nextId = body.lastAckedMutationId + 1;
      }
      return res;
    },
    push: async (...mutations) => {
      const res = await device.pushRaw(mutations);
      if (res.statusCode !== 200) throw new Error(`push answered ${res.statusCode}: ${res.body}`);
      return pushResponseSchema.parse(res.json());
    },
    pullRaw: (body) =>
      t.app.inject({
        method: 'POST',
        url: SYNC_PATHS.pull,
        headers,
        payload: { deviceId, knownClientIds: [], ...body },
      }),
    pull: async (body) => {
      const res = await device.pullRaw(body);
      if (res.statusCode !== 200) throw new Error(`pull answered ${res.statusCode}: ${res.body}`);
      return pullResponseSchema.parse(res.json());
    },
  };
  return device;
}

/** Registers a fresh device for `user` and returns it. */
export async function registeredDevice(t: TestApp, user: { id: string; orgId: string }): Promise<TestDevice> {
  const device = await testDevice(t, user);
  const res = await device.register();
  if (res.statusCode !== 200) throw new Error(`register answered ${res.statusCode}: ${res.body}`);
  return device;
}

/** Pulls from `cursor` until hasMore is false, collecting every page. */
export async function pullAll(
  device: TestDevice,
  body: { cursor: string | null; knownClientIds?: string[]; limit?: number },
): Promise<PullResponse[]> {
  const pages: PullResponse[] = [];
  let cursor = body.cursor;
  for (let i = 0; i < 1000; i++) {
    const page = await device.pull({ ...body, cursor });
    pages.push(page);
    if (!page.hasMore) return pages;
    cursor = page.cursor;
  }
  throw new Error('pull never finished');
}
