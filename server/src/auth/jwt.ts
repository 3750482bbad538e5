import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import type { Config } from '../config';

export type JwtSettings = Pick<Config, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience' | 'accessTokenTtlSeconds'>;

/** RFC 9068 media type for access tokens; a challenge token has its own so neither can stand in for the other. */
const ACCESS_HEADER_TYP = 'at+jwt';
const CHALLENGE_HEADER_TYP = 'kiki-challenge+jwt';
/** Long enough to open an authenticator app, short enough that a stolen challenge is soon useless. */
export const CHALLENGE_TTL_SECONDS = 300;

const accessClaimsSchema = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  sid: z.uuid(),
  typ: z.literal('access'),
});
export type AccessClaims = { userId: string; orgId: string; sessionId: string; expiresAt: Date };

export const challengePurposeSchema = z.enum(['mfa', 'mfa_enroll']);
export type ChallengePurpose = z.infer<typeof challengePurposeSchema>;
const challengeClaimsSchema = z.object({ sub: z.uuid(), org: z.uuid(), typ: challengePurposeSchema });
export type ChallengeClaims = { userId: string; orgId: string; purpose: ChallengePurpose };

function keyOf(settings: Pick<Config, 'jwtSecret'>): Uint8Array {
  return new TextEncoder().encode(settings.jwtSecret);
}

export async function signAccessToken(
  settings: JwtSettings,
  subject: { userId: string; orgId: string; sessionId: string },
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAtSeconds = issuedAt + settings.accessTokenTtlSeconds;
  const token = await new SignJWT({ org: subject.orgId, sid: subject.sessionId, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: ACCESS_HEADER_TYP })
    .setIssuer(settings.jwtIssuer)
    .setAudience(settings.jwtAudience)
    .setSubject(subject.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(keyOf(settings));
  return { token, expiresAt: new Date(expiresAtSeconds * 1000) };
}

export async function signChallengeToken(
  settings: JwtSettings,
  subject: { userId: string; orgId: string; purpose: ChallengePurpose },
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAtSeconds = issuedAt + CHALLENGE_TTL_SECONDS;
  const token = await new SignJWT({ org: subject.orgId, typ: subject.purpose })
    .setProtectedHeader({ alg: 'HS256', typ: CHALLENGE_HEADER_TYP })
    .setIssuer(settings.jwtIssuer)
    .setAudience(settings.jwtAudience)
    .setSubject(subject.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(keyOf(settings));
  return { token, expiresAt: new Date(expiresAtSeconds * 1000) };
}

async function verifyJwt(settings: JwtSettings, token: string, headerTyp: string, now: Date | undefined) {
  try {
    const { payload } = await jwtVerify(token, keyOf(settings), {
      // Pinning the algorithm is what rejects `alg: none` and algorithm-confusion tokens.
      algorithms: ['HS256'],
      issuer: settings.jwtIssuer,
      audience: settings.jwtAudience,
      typ: headerTyp,
      requiredClaims: ['exp', 'iat', 'sub'],
      ...(now === undefined ? {} : { currentDate: now }),
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new AppError('TOKEN_EXPIRED', 'The token has expired: refresh the session or sign in again.');
    }
    if (error instanceof errors.JOSEError) {
      throw new AppError('UNAUTHENTICATED', 'The token is not valid here; sign in again.');
    }
    throw error;
  }
}

/** Verifies signature, algorithm, issuer, audience, header and claim type, and expiry. */
export async function verifyAccessToken(settings: JwtSettings, token: string, now?: Date): Promise<AccessClaims> {
  const payload = await verifyJwt(settings, token, ACCESS_HEADER_TYP, now);
  const claims = accessClaimsSchema.safeParse(payload);
  if (!claims.success || payload.exp === undefined) {
    throw new AppError('UNAUTHENTICATED', 'The token is not an access token; sign in again.');
  }
  return {
    userId: claims.data.sub,
    orgId: claims.data.org,
    sessionId: claims.data.sid,
    expiresAt: new Date(payload.exp * 1000),
  };
}

export async function verifyChallengeToken(
  settings: JwtSettings,
  token: string,
  purpose: ChallengePurpose,
  now?: Date,
): Promise<ChallengeClaims> {
  const payload = await verifyJwt(settings, token, CHALLENGE_HEADER_TYP, now);
  const claims = challengeClaimsSchema.safeParse(payload);
  if (!claims.success || claims.data.typ !== purpose) {
    throw new AppError('UNAUTHENTICATED', 'The sign-in challenge is not valid for this step; sign in again.');
  }
  return { userId: claims.data.sub, orgId: claims.data.org, purpose };
}
