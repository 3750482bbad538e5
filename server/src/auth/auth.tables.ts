import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A timestamptz column: read as a Date, written as a Date (or an ISO string), defaulted by the database. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** A sign-in session: one refresh-token family. Its id is the `sid` claim of every access token it issues. */
export interface SessionsTable {
  id: string;
  org_id: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  last_used_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface RefreshTokensTable {
  id: string;
  org_id: string;
  user_id: string;
  family_id: string;
  /** sha256 of the opaque token, hex; the token itself is never stored. */
  token_hash: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
  replaced_by_id: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface RecoveryCodesTable {
  id: string;
  org_id: string;
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface MfaEnrollmentsTable {
  user_id: string;
  org_id: string;
  /** secret-box sealed base32 TOTP secret. */
  secret_enc: string;
  created_at: Timestamp;
}

/** Auth events that cannot join an agency's audit chain (e.g. a failed sign-in for an unknown email). */
export interface AuthEventsTable {
  id: string;
  org_id: string | null;
  user_id: string | null;
  event: string;
  email: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Timestamp;
}

/** The tables of migration 0002_auth; server/src/db/database.ts extends this. */
export interface AuthTables {
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  recovery_codes: RecoveryCodesTable;
  mfa_enrollments: MfaEnrollmentsTable;
  auth_events: AuthEventsTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
