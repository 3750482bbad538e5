import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { DEFAULT_SYNC_RETENTION_DAYS } from './sync/sync-retention.service';

const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

function integerFromEnv(min: number, max: number) {
  return z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));
}

/** Each key is the environment variable that feeds it, so a validation error can name the variable. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integerFromEnv(0, 65535).default(8787),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  KIKI_DATA_DIR: z.string().min(1).default('.data/server'),
  KIKI_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins like https://app.example.com' }))),
  LOG_LEVEL: logLevelSchema.default('info'),
  KIKI_JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 bytes long; generate one with `openssl rand -base64 48`')
    .optional(),
  KIKI_JWT_ISSUER: z.string().min(1).default('kiki-server'),
  KIKI_JWT_AUDIENCE: z.string().min(1).default('kiki-desktop'),
  KIKI_ACCESS_TOKEN_TTL_SECONDS: integerFromEnv(30, 86_400).default(900),
  KIKI_REFRESH_TOKEN_TTL_DAYS: integerFromEnv(1, 365).default(30),
  KIKI_TOTP_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 random bytes encoded as base64; generate one with `openssl rand -base64 32`',
    })
    .optional(),
  KIKI_MFA_ISSUER: z.string().min(1).default('KIKI'),
  KIKI_TRUST_PROXY: booleanFromEnv.default(false),
  KIKI_RATE_LIMIT_PER_MINUTE: integerFromEnv(1, 1_000_000).default(600),
  KIKI_BODY_LIMIT_BYTES: integerFromEnv(1024, 50 * 1024 * 1024).default(1024 * 1024),
  KIKI_SYNC_RETENTION_DAYS: integerFromEnv(1, 3650).default(DEFAULT_SYNC_RETENTION_DAYS),
  KIKI_METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters long; generate one with `openssl rand -base64 48`')
    .optional(),
});

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl?: string;
  dataDir: string;
  corsOrigins: string[];
  logLevel: z.infer<typeof logLevelSchema>;
  jwtSecret: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** 32 raw bytes for AES-256-GCM. */
  totpEncryptionKey: Buffer;
  mfaIssuer: string;
  trustProxy: boolean;
  /** Requests per minute per IP across the API; sign-in has its own stricter limits. */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Bearer token Prometheus must send to `/metrics`; without it only loopback clients may scrape. */
  metricsToken?: string;
  /** Days the sync change log and stored push results are kept (KIKI_SYNC_RETENTION_DAYS, default 30). */
  syncRetentionDays?: number;
}

/**
 * Whether `host` only listens on this machine: localhost, 127.0.0.0/8 or ::1 (also IPv4-mapped). Anything else,
 * including 0.0.0.0, :: and a host name, may be reached from the network. Also answers for a client address
 * (`request.ip`), which is never a host name.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
    return mapped !== undefined && isIPv4(mapped) && mapped.startsWith('127.');
  }
  return false;
}

export interface LoadConfigOptions {
  /** Told about secrets generated for development, so the operator knows they are not production-grade. */
  onWarning?: (message: string) => void;
}

/**
 * Reads and validates the server configuration from environment variables. Throws an AppError whose
 * message names every wrong variable. In development on the embedded database and a loopback HOST, missing
 * secrets are generated once and kept in the data directory; anywhere else the server refuses to start without them.
 */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
    throw new AppError('VALIDATION_FAILED', `Invalid server configuration. ${problems.join('; ')}`);
  }
  const e = parsed.data;
  // Generated secrets are for one developer's machine: a server others can reach is never development, whatever
  // NODE_ENV says, so `HOST=0.0.0.0 npm run server` cannot serve the network on them.
  const loopback = isLoopbackHost(e.HOST);
  const nodeEnv = e.NODE_ENV ?? (e.DATABASE_URL === undefined && loopback ? 'development' : 'production');
  const development = nodeEnv === 'development' && e.DATABASE_URL === undefined && loopback;

  let jwtSecret = e.KIKI_JWT_SECRET;
  let totpKey = e.KIKI_TOTP_KEY;
  if (jwtSecret === undefined || totpKey === undefined) {
    if (!development) {
      const missing = [
        jwtSecret === undefined ? 'KIKI_JWT_SECRET' : null,
        totpKey === undefined ? 'KIKI_TOTP_KEY' : null,
      ]
        .filter((v) => v !== null)
        .join(' and ');
      const why = [
        `NODE_ENV=${nodeEnv}`,
        ...(e.DATABASE_URL === undefined ? [] : ['DATABASE_URL set']),
        ...(loopback ? [] : [`HOST=${e.HOST} is reachable from the network`]),
      ].join(', ');
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid server configuration. ${missing} must be set outside development (${why}); generate ` +
          'KIKI_JWT_SECRET with `openssl rand -base64 48` and KIKI_TOTP_KEY with `openssl rand -base64 32`.',
      );
    }
    const dev = loadOrCreateDevSecrets(e.KIKI_DATA_DIR, () => ({
      jwtSecret: randomBytes(48).toString('base64'),
      totpKey: randomBytes(32).toString('base64'),
    }));
    options.onWarning?.(
      `Using development secrets from ${dev.path}. Set KIKI_JWT_SECRET and KIKI_TOTP_KEY before serving real users.`,
    );
    jwtSecret ??= dev.secrets.jwtSecret;
    totpKey ??= dev.secrets.totpKey;
  }

  return {
    nodeEnv,
    host: e.HOST,
    port: e.PORT,
    ...(e.DATABASE_URL === undefined ? {} : { databaseUrl: e.DATABASE_URL }),
    dataDir: e.KIKI_DATA_DIR,
    corsOrigins: e.KIKI_CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    jwtSecret,
    jwtIssuer: e.KIKI_JWT_ISSUER,
    jwtAudience: e.KIKI_JWT_AUDIENCE,
    accessTokenTtlSeconds: e.KIKI_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.KIKI_REFRESH_TOKEN_TTL_DAYS,
    totpEncryptionKey: Buffer.from(totpKey, 'base64'),
    mfaIssuer: e.KIKI_MFA_ISSUER,
    trustProxy: e.KIKI_TRUST_PROXY,
    rateLimitPerMinute: e.KIKI_RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: e.KIKI_BODY_LIMIT_BYTES,
    ...(e.KIKI_METRICS_TOKEN === undefined ? {} : { metricsToken: e.KIKI_METRICS_TOKEN }),
    syncRetentionDays: e.KIKI_SYNC_RETENTION_DAYS,
  };
}

/**
 * KIKI_SYNC_RETENTION_DAYS alone, validated like loadConfig does, for the admin CLI (which needs no secrets).
 */
export function syncRetentionDaysFromEnv(env: NodeJS.ProcessEnv): number {
  const parsed = envSchema.shape.KIKI_SYNC_RETENTION_DAYS.safeParse(env.KIKI_SYNC_RETENTION_DAYS);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is invalid';
    throw new AppError('VALIDATION_FAILED', `Invalid server configuration. KIKI_SYNC_RETENTION_DAYS: ${message}`);
  }
  return parsed.data;
}
