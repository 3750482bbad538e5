import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { AppError, isAppError } from '@kiki/shared/errors';
import { changePassword, loadAccount, loadAccountUser, logout } from '../../auth/account.service';
import { verifyChallengeToken } from '../../auth/jwt';
import { startMfaEnrollment } from '../../auth/mfa.service';
import type { RequestContext } from '../../auth/request-context';
import { listSessions, revokeSession } from '../../auth/sessions.service';
import { completeMfaSignIn, confirmEnrollment, signIn, type AuthDeps } from '../../auth/sign-in.service';
import { rotateRefreshToken, type IssuedTokens } from '../../auth/tokens.service';
import type { Config } from '../../config';
import type { Database } from '../../db/database';
import { authFailuresTotal } from '../../plugins/observability';
import {
  changePasswordBodySchema,
  changePasswordResponseSchema,
  enrollConfirmBodySchema,
  enrollConfirmResponseSchema,
  enrollStartBodySchema,
  enrollStartResponseSchema,
  loginBodySchema,
  loginResponseSchema,
  meResponseSchema,
  noContentSchema,
  mfaVerifyBodySchema,
  refreshBodySchema,
  sessionParamsSchema,
  sessionsResponseSchema,
  tokensResponseSchema,
  type TokensResponse,
} from './auth.schema';

export interface AuthRateLimits {
  /** Per IP per minute: password and MFA-code attempts, and enrolment. */
  signInPerMinute: number;
  /** Per IP per minute: refresh-token exchanges (a desktop refreshes every ~15 minutes). */
  refreshPerMinute: number;
}

/**
 * Sign-in limits scale with the general per-IP limit (KIKI_RATE_LIMIT_PER_MINUTE, default 600): 1/60 of it
 * for credential guessing (10/min by default) and 1/10 for refresh, so one setting raises all of them.
 */
export function authRateLimits(config: Pick<Config, 'rateLimitPerMinute'>): AuthRateLimits {
  return {
    signInPerMinute: Math.max(1, Math.floor(config.rateLimitPerMinute / 60)),
    refreshPerMinute: Math.max(1, Math.floor(config.rateLimitPerMinute / 10)),
  };
}

function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: userAgent === undefined ? null : userAgent.slice(0, 512), requestId: request.id };
}

function requireAuth(request: FastifyRequest) {
  if (request.auth === null) throw new AppError('UNAUTHENTICATED', 'Sign in to use this endpoint.');
  return request.auth;
}

async function toTokensResponse(db: Kysely<Database>, tokens: IssuedTokens): Promise<TokensResponse> {
  return {
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt.toISOString(),
    user: await loadAccountUser(db, tokens),
  };
}

/** Sign-in, MFA, token refresh and the caller's own sessions, under /api/v1/auth. */
export const authRoutes: FastifyPluginCallbackZod<{ config: Config; db: Kysely<Database> }> = (
  app,
  { config, db },
  done,
) => {
  const limits = authRateLimits(config);
  const signInLimit = { max: limits.signInPerMinute, timeWindow: '1 minute' };
  const deps: AuthDeps = {
    db,
    config,
    now: () => new Date(),
    onFailure: (reason) => authFailuresTotal.inc({ reason }),
  };

  /** The enrolment subject: a signed-in user, or someone holding an enrolment challenge from /login. */
  async function enrolmentSubject(request: FastifyRequest, challengeToken: string | undefined) {
    if (challengeToken !== undefined) {
      try {
        const claims = await verifyChallengeToken(config, challengeToken, 'mfa_enroll');
        return { userId: claims.userId, orgId: claims.orgId, signIn: true };
      } catch (error) {
        authFailuresTotal.inc({ reason: 'bad_challenge' });
        throw error;
      }
    }
    const auth = requireAuth(request);
    return { userId: auth.userId, orgId: auth.orgId, signIn: false };
  }

  app.post(
    '/login',
    {
      config: { permission: 'public', rateLimit: signInLimit },
      schema: { tags: ['auth'], security: [], body: loginBodySchema, response: { 200: loginResponseSchema } },
    },
    async (request) => {
      const result = await signIn(deps, request.body, requestContext(request));
      if (result.kind === 'tokens') return toTokensResponse(db, result.tokens);
      const challenge = {
        challengeToken: result.challengeToken,
        challengeExpiresAt: result.challengeExpiresAt.toISOString(),
      };
      return result.purpose === 'mfa'
        ? { mfaRequired: true as const, ...challenge }
        : { mfaEnrollmentRequired: true as const, ...challenge };
    },
  );

  app.post(
    '/mfa/verify',
    {
      config: { permission: 'public', rateLimit: signInLimit },
      schema: { tags: ['auth'], security: [], body: mfaVerifyBodySchema, response: { 200: tokensResponseSchema } },
    },
    async (request) => {
      const { challengeToken, code, recoveryCode } = request.body;
      const factor = recoveryCode !== undefined ? { recoveryCode } : { code: code ?? '' };
      const tokens = await completeMfaSignIn(deps, { challengeToken, factor }, requestContext(request));
      return toTokensResponse(db, tokens);
    },
  );

  app.post(
    '/refresh',
    {
      config: { permission: 'public', rateLimit: { max: limits.refreshPerMinute, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], security: [], body: refreshBodySchema, response: { 200: tokensResponseSchema } },
    },
    async (request) => {
      try {
        const tokens = await rotateRefreshToken(
          db,
          config,
          request.body.refreshToken,
          requestContext(request),
          new Date(),
        );
        return await toTokensResponse(db, tokens);
      } catch (error) {
        if (isAppError(error)) authFailuresTotal.inc({ reason: `refresh_${error.code.toLowerCase()}` });
        throw error;
      }
    },
  );

  app.post(
    '/logout',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], response: { 204: noContentSchema.describe('Signed out: the session is revoked') } },
    },
    async (request, reply) => {
      await logout(db, requireAuth(request), requestContext(request), new Date());
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    { config: { permission: 'authenticated' }, schema: { tags: ['auth'], response: { 200: meResponseSchema } } },
    async (request) => {
      const auth = requireAuth(request);
      return { ...(await loadAccount(db, auth)), sessionId: auth.sessionId };
    },
  );

  app.post(
    '/password',
    {
      config: { permission: 'authenticated', rateLimit: signInLimit },
      schema: { tags: ['auth'], body: changePasswordBodySchema, response: { 200: changePasswordResponseSchema } },
    },
    async (request) => {
      try {
        return await changePassword(db, requireAuth(request), request.body, requestContext(request), new Date());
      } catch (error) {
        if (isAppError(error) && error.code !== 'VALIDATION_FAILED') {
          authFailuresTotal.inc({ reason: `password_change_${error.code.toLowerCase()}` });
        }
        throw error;
      }
    },
  );

  app.post(
    '/mfa/enroll/start',
    {
      config: { permission: 'public', rateLimit: signInLimit },
      schema: { tags: ['auth'], body: enrollStartBodySchema, response: { 200: enrollStartResponseSchema } },
    },
    async (request) => {
      const subject = await enrolmentSubject(request, request.body?.challengeToken);
      return startMfaEnrollment(db, config, subject, requestContext(request), new Date());
    },
  );

  app.post(
    '/mfa/enroll/confirm',
    {
      config: { permission: 'public', rateLimit: signInLimit },
      schema: { tags: ['auth'], body: enrollConfirmBodySchema, response: { 200: enrollConfirmResponseSchema } },
    },
    async (request) => {
      const { signIn: completesSignIn, ...subject } = await enrolmentSubject(request, request.body.challengeToken);
      const result = await confirmEnrollment(
        deps,
        { subject, code: request.body.code, signIn: completesSignIn },
        requestContext(request),
      );
      return {
        recoveryCodes: result.recoveryCodes,
        tokens: result.tokens === null ? null : await toTokensResponse(db, result.tokens),
      };
    },
  );

  app.get(
    '/sessions',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], response: { 200: sessionsResponseSchema } },
    },
    async (request) => {
      const auth = requireAuth(request);
      const sessions = await listSessions(db, auth.orgId, auth.userId);
      return {
        items: sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          userAgent: s.userAgent,
          ip: s.ip,
          current: s.id === auth.sessionId,
        })),
      };
    },
  );

  app.delete(
    '/sessions/:sessionId',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        params: sessionParamsSchema,
        response: { 204: noContentSchema.describe('The session is revoked') },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const context = requestContext(request);
      const revoked = await db.transaction().execute((trx) =>
        revokeSession(
          trx,
          {
            orgId: auth.orgId,
            userId: auth.userId,
            sessionId: request.params.sessionId,
            reason: 'signed_out_by_user',
          },
          { actorUserId: auth.userId, ip: context.ip, requestId: context.requestId },
        ),
      );
      if (!revoked)
        throw new AppError('NOT_FOUND', 'No live session of yours has that id; list them with GET /sessions.');
      return reply.status(204).send(null);
    },
  );
  done();
};
