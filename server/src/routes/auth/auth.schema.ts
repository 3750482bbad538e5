import { z } from 'zod';
import { grantSchema } from '@kiki/shared/permissions';

const challengeTokenSchema = z.string().min(1).max(4096);
const totpCodeSchema = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');

export const loginBodySchema = z.strictObject({
  email: z.string().trim().min(3).max(320),
  // Bounded well above the 256-character policy so a huge body never reaches argon2.
  password: z.string().min(1).max(1024),
  /** Only needed when one email belongs to several agencies. */
  orgId: z.uuid().optional(),
});

export const mfaVerifyBodySchema = z
  .strictObject({
    challengeToken: challengeTokenSchema,
    code: totpCodeSchema.optional(),
    recoveryCode: z.string().trim().min(8).max(64).optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'send either code (from the app) or recoveryCode, not both',
    path: ['code'],
  });

export const changePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});
export const changePasswordResponseSchema = z.object({ otherSessionsEnded: z.number().int() });

export const refreshBodySchema = z.strictObject({ refreshToken: z.string().min(1).max(256) });

export const enrollStartBodySchema = z.strictObject({ challengeToken: challengeTokenSchema.optional() }).optional();
export const enrollConfirmBodySchema = z.strictObject({
  challengeToken: challengeTokenSchema.optional(),
  code: totpCodeSchema,
});

export const sessionParamsSchema = z.object({ sessionId: z.uuid() });

export const authUserSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  mfaEnabled: z.boolean(),
});
export type AuthUser = z.infer<typeof authUserSchema>;

export const tokensResponseSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.iso.datetime(),
  user: authUserSchema,
});
export type TokensResponse = z.infer<typeof tokensResponseSchema>;

export const loginResponseSchema = z.union([
  tokensResponseSchema,
  z.object({ mfaRequired: z.literal(true), challengeToken: z.string(), challengeExpiresAt: z.iso.datetime() }),
  z.object({
    mfaEnrollmentRequired: z.literal(true),
    challengeToken: z.string(),
    challengeExpiresAt: z.iso.datetime(),
  }),
]);

export const enrollStartResponseSchema = z.object({
  secret: z.string(),
  otpauthUri: z.string(),
});

export const enrollConfirmResponseSchema = z.object({
  /** Shown once; each works once in place of a code. */
  recoveryCodes: z.array(z.string()),
  /** Set when the confirmation also completed a sign-in (agency requires MFA). */
  tokens: tokensResponseSchema.nullable(),
});

export const meResponseSchema = z.object({
  user: authUserSchema,
  org: z.object({ id: z.uuid(), name: z.string(), mfaRequired: z.boolean() }),
  grants: z.array(grantSchema),
  sessionId: z.uuid(),
  recoveryCodesLeft: z.number().int(),
});

export const sessionResponseSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean(),
});
export const sessionsResponseSchema = z.object({ items: z.array(sessionResponseSchema) });

export const noContentSchema = z.null();
