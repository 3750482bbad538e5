import { z } from 'zod';

/**
 * Every error that crosses a process or network boundary carries one of these codes.
 * The desktop, the core and the server all speak this one vocabulary.
 */
export const errorCodeSchema = z.enum([
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'MFA_REQUIRED',
  'MFA_INVALID',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'TOKEN_EXPIRED',
  'TOKEN_REUSED',
  'FORBIDDEN',
  'CONFLICT',
  /** A sync push skipped a mutation id; nothing was applied (details: expectedMutationId). */
  'SYNC_GAP',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'UPDATE_REQUIRED',
  'UNAVAILABLE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const appErrorSchema = z.object({
  code: errorCodeSchema,
  /** Human message that says what happened and what to do about it. */
  message: z.string(),
  /** Optional structured detail (e.g. which field failed validation). Never secrets. */
  details: z.unknown().optional(),
});
export type AppErrorShape = z.infer<typeof appErrorSchema>;

/** An error with a code, thrown inside a process and turned into a result envelope at its edge. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toJSON(): AppErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Summarises zod issues as a message a person can act on: which field, what is wrong. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'input';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
