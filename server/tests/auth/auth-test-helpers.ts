import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database';

export interface TokensBody {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; orgId: string; email: string; displayName: string; mfaEnabled: boolean };
}

export interface ChallengeBody {
  mfaRequired?: true;
  mfaEnrollmentRequired?: true;
  challengeToken: string;
  challengeExpiresAt: string;
}

export function post(app: FastifyInstance, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/auth${url}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

export function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/api/v1/auth${url}`, headers });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function login(app: FastifyInstance, email: string, password: string, extra: Record<string, unknown> = {}) {
  return post(app, '/login', { email, password, ...extra });
}

export function errorOf(response: LightMyRequestResponse): { code?: string; message?: string } {
  return response.json<{ error?: { code?: string; message?: string } }>().error ?? {};
}

export async function auditActions(db: Kysely<Database>, orgId: string): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').where('org_id', '=', orgId).orderBy('seq').execute();
  return rows.map((r) => r.action);
}
