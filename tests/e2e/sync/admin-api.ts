import { z } from 'zod';
import type { Role } from '@kiki/shared/permissions';

/** Just enough of the team server's admin API for a spec to change someone's role, as an agency admin would. */
export interface AdminApi {
  setOnlyRole(userId: string, role: Role): Promise<void>;
}

const loginSchema = z.object({ challengeToken: z.string() });
const tokensSchema = z.object({ accessToken: z.string() });
const membershipsSchema = z.object({ items: z.array(z.object({ id: z.uuid(), role: z.string() })) });

async function call(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> },
): Promise<unknown> {
  // Fastify refuses an empty body labelled as JSON, so only requests with a body say they carry JSON.
  const json: Record<string, string> = init.body === undefined ? {} : { 'content-type': 'application/json' };
  const response = await fetch(url, { ...init, headers: { ...json, ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text}`);
  return text === '' ? null : (JSON.parse(text) as unknown);
}

export async function signInAdmin(
  serverUrl: string,
  user: { email: string; password: string },
  code: string,
): Promise<AdminApi> {
  const login = loginSchema.parse(
    await call(`${serverUrl}/api/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email: user.email, password: user.password }),
    }),
  );
  const { accessToken } = tokensSchema.parse(
    await call(`${serverUrl}/api/v1/auth/mfa/verify`, {
      method: 'POST',
      body: JSON.stringify({ challengeToken: login.challengeToken, code }),
    }),
  );
  const auth = { authorization: `Bearer ${accessToken}` };
  return {
    setOnlyRole: async (userId, role) => {
      await call(`${serverUrl}/api/v1/memberships`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ userId, role, clientIds: null }),
      });
      const { items } = membershipsSchema.parse(
        await call(`${serverUrl}/api/v1/memberships?userId=${userId}`, { headers: auth }),
      );
      for (const membership of items.filter((m) => m.role !== role)) {
        await call(`${serverUrl}/api/v1/memberships/${membership.id}`, { method: 'DELETE', headers: auth });
      }
    },
  };
}
