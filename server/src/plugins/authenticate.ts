import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { AppError, isAppError } from '@kiki/shared/errors';
import { verifyAccessToken } from '../auth/jwt';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { authFailuresTotal } from './observability';

export interface RequestAuth {
  userId: string;
  orgId: string;
  sessionId: string;
  /** When the access token expires (its `exp`); a live socket closes then. */
  expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in caller, or null. Set before validation from `Authorization: Bearer <access JWT>`. */
    auth: RequestAuth | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = BEARER.exec(header);
  if (match?.[1] === undefined)
    throw new AppError('UNAUTHENTICATED', 'Send the access token as `Authorization: Bearer <token>`.');
  return match[1];
}

/**
 * Resolves the bearer token to a live session. A signature alone is not enough: one indexed lookup also
 * checks that the user is still active and the session not revoked, so disabling a user or signing a
 * device out takes effect on the very next request, not when the token expires.
 */
export async function authenticateRequest(
  db: Kysely<Database>,
  config: Config,
  token: string,
  now: Date = new Date(),
): Promise<RequestAuth> {
  const claims = await verifyAccessToken(config, token, now);
  const live = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.status', 'sessions.revoked_at', 'sessions.expires_at'])
    .where('sessions.id', '=', claims.sessionId)
    .where('sessions.user_id', '=', claims.userId)
    .where('sessions.org_id', '=', claims.orgId)
    .where('users.org_id', '=', claims.orgId)
    .executeTakeFirst();
  if (live === undefined || live.revoked_at !== null || live.expires_at <= now) {
    throw new AppError('UNAUTHENTICATED', 'This session has ended; sign in again.');
  }
  if (live.status !== 'active') {
    throw new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an agency admin to re-enable it.');
  }
  return { userId: claims.userId, orgId: claims.orgId, sessionId: claims.sessionId, expiresAt: claims.expiresAt };
}

/**
 * Decorates `request.auth`. On a protected route a bad token fails the request with 401 right here; on a
 * public route it is ignored (auth stays null), and a missing token is left to RBAC, which answers 401.
 */
export const authenticatePlugin = fp(
  (app: FastifyInstance, options: { config: Config; db: Kysely<Database> }, done: (err?: Error) => void) => {
    app.decorateRequest('auth', null);
    app.addHook('onRequest', async (request) => {
      if (request.is404) return;
      const isPublic = request.routeOptions.config.permission === 'public';
      try {
        const token = bearerToken(request);
        if (token === null) return;
        request.auth = await authenticateRequest(options.db, options.config, token);
      } catch (error) {
        if (isPublic) return;
        if (isAppError(error)) authFailuresTotal.inc({ reason: `access_token_${error.code.toLowerCase()}` });
        throw error;
      }
    });
    done();
  },
  { name: 'kiki-authenticate' },
);
