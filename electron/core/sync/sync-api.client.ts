import { z } from 'zod';
import { AppError, appErrorSchema, describeZodError } from '@kiki/shared/errors';
import { grantSchema } from '@kiki/shared/permissions';
import { platformSchema } from '@kiki/shared/domain/platform.schema';
import {
  METRIC_WIRE_MAX_DAY,
  metricWireAdSchema,
  metricsPullResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  registerResponseSchema,
  type registerRequestSchema,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
  type MetricsPullRequest,
  type MetricsPullResponse,
  type MetricWireAd,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '@kiki/shared/sync/sync-protocol';
import { normalizeServerOrigin } from '@kiki/shared/vault/vault-key.schema';

// The auth API's wire shapes (server/src/routes/auth/auth.schema.ts), restated here because core may not import
// server code; only the fields core reads are checked, so the server can add fields without breaking old apps.
const authUserSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  email: z.string(),
  displayName: z.string(),
});
export const tokensSchema = z.object({
  accessToken: z.string().min(1),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string().min(1),
  refreshTokenExpiresAt: z.iso.datetime(),
  user: authUserSchema,
});
export type Tokens = z.infer<typeof tokensSchema>;

const loginResponseSchema = z.union([
  tokensSchema,
  z.object({ mfaRequired: z.literal(true), challengeToken: z.string(), challengeExpiresAt: z.iso.datetime() }),
  z.object({
    mfaEnrollmentRequired: z.literal(true),
    challengeToken: z.string(),
    challengeExpiresAt: z.iso.datetime(),
  }),
]);
export type LoginResponse = z.infer<typeof loginResponseSchema>;

const meResponseSchema = z.object({
  user: authUserSchema,
  org: z.object({ id: z.uuid(), name: z.string() }),
  grants: z.array(grantSchema),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

type RegisterRequest = z.infer<typeof registerRequestSchema>;
type RegisterResponse = z.infer<typeof registerResponseSchema>;

export const AUTH_PATHS = {
  login: '/api/v1/auth/login',
  mfaVerify: '/api/v1/auth/mfa/verify',
  refresh: '/api/v1/auth/refresh',
  logout: '/api/v1/auth/logout',
  me: '/api/v1/auth/me',
} as const;

export interface SyncApiClientOptions {
  serverUrl: string;
  /** Defaults to Node's global fetch; tests inject a failing one to go "offline". */
  fetch?: typeof fetch;
  /** Per request; metrics pages get twice this. Defaults to 30 s. */
  timeoutMs?: number;
}

/** The team server's HTTP API as core uses it: auth and the sync endpoints, every failure an AppError. */
export interface SyncApiClient {
  /** The server's origin, e.g. https://kiki.agency.example. */
  readonly origin: string;
  login(body: { email: string; password: string }): Promise<LoginResponse>;
  verifyMfa(body: { challengeToken: string; code?: string; recoveryCode?: string }): Promise<Tokens>;
  refresh(refreshToken: string): Promise<Tokens>;
  logout(accessToken: string): Promise<void>;
  me(accessToken: string): Promise<MeResponse>;
  register(accessToken: string, body: RegisterRequest): Promise<RegisterResponse>;
  push(accessToken: string, body: PushRequest): Promise<PushResponse>;
  pull(accessToken: string, body: PullRequest): Promise<PullResponse>;
  metricsPull(accessToken: string, body: MetricsPullRequest): Promise<MetricsPullResponse>;
  /** ws(s):// URL of the live endpoint. */
  liveUrl(): string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A metrics page with its ads still unchecked: they are validated by `parseMetricAds`, which is much faster. */
const metricsPageEnvelopeSchema = metricsPullResponseSchema.extend({ ads: z.array(z.unknown()) });

/** Days that rise strictly, as the server sends them: distinct without a Set. Anything else goes to zod. */
function isDayList(values: unknown): values is number[] {
  if (!Array.isArray(values) || values.length === 0) return false;
  let previous = -1;
  for (let i = 0; i < values.length; i++) {
    const day = values[i] as unknown;
    if (typeof day !== 'number' || !Number.isInteger(day) || day <= previous || day > METRIC_WIRE_MAX_DAY) return false;
    previous = day;
  }
  return true;
}

function isIntegerList(values: unknown, length: number, nonNegative: boolean): boolean {
  if (!Array.isArray(values) || values.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const value = values[i] as unknown;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || (nonNegative && value < 0)) return false;
  }
  return true;
}

/**
 * Validates wire ads exactly as metricWireAdSchema does, at a fraction of the cost: a snapshot page holds ~70 ads
 * with 50,000 values in each column, so each distinct ad id goes through zod once and is remembered, and the
 * numbers are checked in plain loops. Anything the fast path doubts goes to zod itself, which decides (and words
 * the error), so this can never accept an ad the schema would refuse.
 */
export function createMetricAdParser(): (ads: readonly unknown[]) => MetricWireAd[] {
  const goodIds = new Set<string>();
  const platforms = new Set<string>(platformSchema.options);
  const uuid = z.uuid();
  const knownId = (value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    if (goodIds.has(value)) return true;
    if (!uuid.safeParse(value).success) return false;
    goodIds.add(value);
    return true;
  };
  return (ads) => {
    for (let i = 0; i < ads.length; i++) {
      const ad = ads[i];
      const fine =
        Array.isArray(ad) &&
        ad.length === 8 &&
        knownId(ad[0]) &&
        platforms.has(ad[1] as string) &&
        isDayList(ad[2]) &&
        isIntegerList(ad[3], ad[2].length, true) &&
        isIntegerList(ad[4], ad[2].length, true) &&
        isIntegerList(ad[5], ad[2].length, false) &&
        isIntegerList(ad[6], ad[2].length, true) &&
        isIntegerList(ad[7], ad[2].length, false);
      if (fine) continue;
      const parsed = metricWireAdSchema.safeParse(ad);
      if (!parsed.success) throw new Error(`ads.${i}: ${describeZodError(parsed.error)}`);
    }
    return ads as MetricWireAd[];
  };
}

/**
 * Reduces a server address to its origin, refusing plain http except to this computer: the password and the
 * refresh token would otherwise cross the network in clear text.
 */
export function serverOriginOf(serverUrl: string): string {
  const origin = normalizeServerOrigin(serverUrl);
  if (origin === null) {
    throw new AppError(
      'VALIDATION_FAILED',
      `"${serverUrl}" is not a secure team server address. Use https:// (plain http is only allowed for a ` +
        'server on this computer, 127.0.0.1 or localhost).',
    );
  }
  return origin;
}

/** Server errors that mean "the access token is no good": refresh once, then retry. */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'UNAUTHENTICATED' || error.code === 'TOKEN_EXPIRED');
}

/** Failures worth retrying later with backoff, as opposed to ones the user must act on. */
export function isRetryable(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'UNAVAILABLE' || error.code === 'RATE_LIMITED');
}

export function createSyncApiClient(options: SyncApiClientOptions): SyncApiClient {
  const origin = serverOriginOf(options.serverUrl);
  const host = new URL(origin).host;
  const doFetch = options.fetch ?? globalThis.fetch;
  const parseMetricAds = createMetricAdParser();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const unreachable = (cause: string) =>
    new AppError(
      'UNAVAILABLE',
      `Can't reach ${host}. Your changes are kept and will sync when the connection is back.`,
      { cause },
    );

  async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T> | null,
    init: { accessToken?: string; body?: unknown; timeoutMs?: number } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION),
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.accessToken !== undefined) headers.authorization = `Bearer ${init.accessToken}`;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(`${origin}${path}`, {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(init.timeoutMs ?? timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      // Network errors and timeouts both land here; the cause is for the log, the message for the user.
      const name = error instanceof Error ? error.name : 'Error';
      const cause = name === 'TimeoutError' ? 'timed out' : error instanceof Error ? error.message : String(error);
      throw unreachable(cause);
    }

    if (!response.ok) throw errorFromResponse(response.status, text);
    if (schema === null) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badReply(path, 'not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw badReply(path, describeZodError(parsed.error));
    return parsed.data;
  }

  function errorFromResponse(status: number, text: string): AppError {
    let envelope: z.infer<typeof appErrorSchema> | null = null;
    try {
      const parsed = z.object({ error: appErrorSchema }).safeParse(JSON.parse(text));
      if (parsed.success) envelope = parsed.data.error;
    } catch {
      envelope = null;
    }
    // A proxy's 502 page or a server that is restarting: nothing the user can fix but wait.
    if (status >= 500 || status === 408) return unreachable(envelope?.message ?? `HTTP ${status}`);
    if (envelope) return new AppError(envelope.code, envelope.message, envelope.details);
    if (status === 401) return new AppError('UNAUTHENTICATED', 'The team server ended this session; sign in again.');
    if (status === 426) {
      return new AppError('UPDATE_REQUIRED', 'The team server needs a newer KIKI Desktop. Update the app, then sync.');
    }
    return new AppError('INTERNAL', `The team server at ${host} answered HTTP ${status}; check the server address.`);
  }

  function badReply(path: string, why: string): AppError {
    return new AppError(
      'INTERNAL',
      `The team server at ${host} sent a reply to ${path} this app does not understand (${why}). Check that the ` +
        'server and KIKI Desktop are up to date.',
    );
  }

  return {
    origin,
    login: (body) => request('POST', AUTH_PATHS.login, loginResponseSchema, { body }),
    verifyMfa: (body) => request('POST', AUTH_PATHS.mfaVerify, tokensSchema, { body }),
    refresh: (refreshToken) => request('POST', AUTH_PATHS.refresh, tokensSchema, { body: { refreshToken } }),
    logout: (accessToken) => request('POST', AUTH_PATHS.logout, null, { accessToken }),
    me: (accessToken) => request('GET', AUTH_PATHS.me, meResponseSchema, { accessToken }),
    register: (accessToken, body) =>
      request('POST', SYNC_PATHS.register, registerResponseSchema, { accessToken, body }),
    push: (accessToken, body) => request('POST', SYNC_PATHS.push, pushResponseSchema, { accessToken, body }),
    pull: (accessToken, body) => request('POST', SYNC_PATHS.pull, pullResponseSchema, { accessToken, body }),
    async metricsPull(accessToken, body) {
      const page = await request('POST', SYNC_PATHS.metricsPull, metricsPageEnvelopeSchema, {
        accessToken,
        body,
        timeoutMs: timeoutMs * 2,
      });
      try {
        return { ...page, ads: parseMetricAds(page.ads) };
      } catch (error) {
        throw badReply(SYNC_PATHS.metricsPull, error instanceof Error ? error.message : String(error));
      }
    },
    liveUrl: () => `${origin.replace(/^http/, 'ws')}${SYNC_PATHS.live}`,
  };
}
