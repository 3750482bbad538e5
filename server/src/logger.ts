import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'challengeToken',
  'totp',
  'totpSecret',
  'code',
  'recoveryCode',
  'secret',
  'jwtSecret',
  'totpEncryptionKey',
];

/**
 * Paths pino replaces with "[Redacted]". Headers carry bearer tokens and cookies; bodies and error
 * details may carry passwords, tokens and TOTP codes at any of the first few levels.
 */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
];

/** JSON logs, one line per event, secrets redacted. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    base: { service: 'kiki-server' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
