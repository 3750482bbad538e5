import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { newId } from '@kiki/shared/ids';
import type { Database } from '../../../server/src/db/database';
import { generateTotpCode } from '../../../server/src/auth/totp';
import { createClient, createOrg, createUser, type TestUser } from '../../../server/tests/helpers/factories';
import { seedCampaign } from '../../../server/tests/helpers/world';
import { DATABASE_FILE_NAME } from '../../../electron/core/app-core';
import type { Desktop } from '../sync-harness';

/** A small agency the tests edit: one or two clients, a few campaigns, ad copies, and editors. */
export interface EditWorld {
  orgId: string;
  clientIds: string[];
  campaignIds: string[];
  adCopyIds: string[];
  editors: TestUser[];
}

export async function seedEditWorld(
  db: Kysely<Database>,
  options: {
    campaigns: number;
    copiesPerCampaign: number;
    editors: number;
    totpKey: Uint8Array;
    /** Budgets above this (on the first client) become approval requests. */
    approvalThresholdMicros?: number;
  },
): Promise<EditWorld> {
  const org = await createOrg(db, { name: `Faults ${newId().slice(-6)}` });
  const clients = [
    await createClient(db, { orgId: org.id, name: 'Acme' }),
    await createClient(db, { orgId: org.id, name: 'Globex' }),
  ];
  if (options.approvalThresholdMicros !== undefined) {
    await db
      .updateTable('clients')
      .set({ budget_approval_threshold_micros: options.approvalThresholdMicros })
      .where('id', '=', clients[0]?.id ?? '')
      .execute();
  }
  const campaignIds: string[] = [];
  const adCopyIds: string[] = [];
  for (let i = 0; i < options.campaigns; i++) {
    const client = clients[i % clients.length];
    if (client === undefined) throw new Error('no client to seed into');
    const campaign = await seedCampaign(db, org.id, client.id, { name: `Campaign ${i + 1}` });
    campaignIds.push(campaign.id);
    for (let v = 0; v < options.copiesPerCampaign; v++) {
      const id = newId();
      await db
        .insertInto('ad_copies')
        .values({
          id,
          org_id: org.id,
          campaign_id: campaign.id,
          variant_label: String.fromCharCode(65 + v),
          headline: `Headline ${i + 1}${String.fromCharCode(65 + v)}`,
          primary_text: `Primary text ${i + 1}${String.fromCharCode(65 + v)}`,
          call_to_action: 'Shop now',
          generated_by: 'human',
        })
        .execute();
      adCopyIds.push(id);
    }
  }
  const editors: TestUser[] = [];
  for (let i = 0; i < options.editors; i++) {
    editors.push(
      await createUser(db, {
        orgId: org.id,
        role: i % 2 === 0 ? 'operator' : 'manager',
        email: `editor-${i}-${newId().slice(-8)}@faults.test`,
        totpKey: options.totpKey,
      }),
    );
  }
  return { orgId: org.id, clientIds: clients.map((c) => c.id), campaignIds, adCopyIds, editors };
}

/** Signs a desktop in with password (and TOTP when the account has it) to the server at `serverUrl`. */
export async function signInAt(desktop: Desktop, serverUrl: string, user: TestUser): Promise<void> {
  const first = await desktop.handlers['session.signIn']({ serverUrl, email: user.email, password: user.password });
  if (first.step === 'mfa') {
    if (user.totpSecret === null) throw new Error(`${user.email} was asked for MFA but has no TOTP secret`);
    await desktop.handlers['session.verifyMfa']({ code: generateTotpCode(user.totpSecret, Date.now()) });
  } else if (first.step !== 'done') {
    throw new Error(`sign-in stopped at ${first.step}`);
  }
}

/** A desktop's data folder, in process (Desktop) or in a child process (core-process.ts). */
export interface DataFolder {
  dataDir: string;
}

/** Reads a desktop's cache on disk through a separate read-only connection, as a test would look at it. */
export function localRows<T>(desktop: DataFolder, query: string, ...params: unknown[]): T[] {
  const sqlite = new BetterSqlite3(path.join(desktop.dataDir, DATABASE_FILE_NAME), { readonly: true });
  try {
    return sqlite.prepare(query).all(...params) as T[];
  } finally {
    sqlite.close();
  }
}

export interface CampaignState {
  id: string;
  name: string;
  status: string;
  budget_type: string;
  budget_micros: number;
  start_date: string;
  end_date: string | null;
  status_version: number;
  budget_version: number;
}

export interface AdCopyState {
  id: string;
  headline: string;
  primary_text: string;
  call_to_action: string;
}

export interface Catalog {
  campaigns: CampaignState[];
  adCopies: AdCopyState[];
}

export async function serverCatalog(db: Kysely<Database>, orgId: string): Promise<Catalog> {
  const campaigns = await db
    .selectFrom('campaigns')
    .select([
      'id',
      'name',
      'status',
      'budget_type',
      'budget_micros',
      'start_date',
      'end_date',
      'status_version',
      'budget_version',
    ])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  const adCopies = await db
    .selectFrom('ad_copies')
    .select(['id', 'headline', 'primary_text', 'call_to_action'])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  return {
    campaigns: campaigns.map((c) => ({
      ...c,
      budget_micros: Number(c.budget_micros),
      start_date: String(c.start_date),
      end_date: c.end_date === null ? null : String(c.end_date),
      status_version: Number(c.status_version),
      budget_version: Number(c.budget_version),
    })),
    adCopies,
  };
}

export function localCatalog(desktop: DataFolder): Catalog {
  return {
    campaigns: localRows<CampaignState>(
      desktop,
      `SELECT id, name, status, budget_type, budget_micros, start_date, end_date, status_version, budget_version
         FROM campaigns ORDER BY id`,
    ),
    adCopies: localRows<AdCopyState>(
      desktop,
      'SELECT id, headline, primary_text, call_to_action FROM ad_copies ORDER BY id',
    ),
  };
}

export function localDeviceId(desktop: DataFolder): string {
  const row = localRows<{ device_id: string | null }>(desktop, 'SELECT device_id FROM sync_state WHERE id = 1')[0];
  if (row?.device_id == null) throw new Error('the desktop has no device id yet');
  return row.device_id;
}

/** The highest outbox id the desktop ever allocated (AUTOINCREMENT never reuses one). */
export function localHighestMutationId(desktop: DataFolder): number {
  const row = localRows<{ seq: number }>(desktop, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")[0];
  return row?.seq ?? 0;
}

export interface MutationLedger {
  /** Per device: the mutation ids the server has a result for, ascending. */
  idsByDevice: Map<string, number[]>;
  results: {
    deviceId: string;
    mutationId: number;
    status: string;
    code: string | null;
    /** For a CONFLICT: which row and field, e.g. "<campaign id>.status". */
    conflictOn: string | null;
  }[];
  /** Human-readable violations of "one result, one audit row per applied mutation"; empty when all is well. */
  problems: string[];
}

const APPLIED_ACTIONS = new Set([
  'campaign.renamed',
  'campaign.status_changed',
  'campaign.budget_changed',
  'campaign.schedule_changed',
  'ad_copy.text_changed',
  'approval.requested',
]);

/**
 * What the server recorded for the given devices: one sync_mutation_results row per (device, id) by its key,
 * and, for every applied mutation, exactly one audit row naming that device and id (none for anything else,
 * except the audited refusals). A mutation applied twice would show as two audit rows.
 */
export async function mutationLedger(
  db: Kysely<Database>,
  orgId: string,
  deviceIds: string[],
): Promise<MutationLedger> {
  const problems: string[] = [];
  const rows =
    deviceIds.length === 0
      ? []
      : await db
          .selectFrom('sync_mutation_results')
          .select(['device_id', 'mutation_id', 'status', 'result'])
          .where('device_id', 'in', deviceIds)
          .orderBy('device_id')
          .orderBy('mutation_id')
          .execute();
  const results = rows.map((r) => {
    const error = (r.result as { error?: { code?: string; details?: { entityId?: string; field?: string } } }).error;
    const details = error?.details;
    return {
      deviceId: r.device_id,
      mutationId: Number(r.mutation_id),
      status: r.status,
      code: error?.code ?? null,
      conflictOn: error?.code === 'CONFLICT' ? `${details?.entityId ?? '?'}.${details?.field ?? '?'}` : null,
    };
  });
  const idsByDevice = new Map<string, number[]>(deviceIds.map((d) => [d, []]));
  for (const r of results) idsByDevice.get(r.deviceId)?.push(r.mutationId);

  const audits = await db
    .selectFrom('audit_log')
    .select(['action', 'data'])
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
  const auditsByMutation = new Map<string, string[]>();
  for (const audit of audits) {
    const data = audit.data as { deviceId?: unknown; mutationId?: unknown };
    if (typeof data.deviceId !== 'string' || typeof data.mutationId !== 'number') continue;
    if (!deviceIds.includes(data.deviceId)) continue;
    const key = `${data.deviceId}#${data.mutationId}`;
    auditsByMutation.set(key, [...(auditsByMutation.get(key) ?? []), audit.action]);
  }
  for (const r of results) {
    const key = `${r.deviceId}#${r.mutationId}`;
    const actions = auditsByMutation.get(key) ?? [];
    auditsByMutation.delete(key);
    if (r.status === 'applied' || r.status === 'approval_requested') {
      if (actions.length !== 1 || !APPLIED_ACTIONS.has(actions[0] ?? '')) {
        problems.push(`${key} ${r.status} has audit rows [${actions.join(', ')}], expected exactly one change`);
      }
    } else if (r.code === 'FORBIDDEN' || r.code === 'NOT_FOUND') {
      if (actions.length !== 1 || actions[0] !== 'sync.mutation_rejected') {
        problems.push(`${key} rejected ${r.code} has audit rows [${actions.join(', ')}], expected one refusal`);
      }
    } else if (actions.length !== 0) {
      problems.push(`${key} rejected ${r.code ?? '?'} has audit rows [${actions.join(', ')}], expected none`);
    }
  }
  for (const [key, actions] of auditsByMutation)
    problems.push(`${key} has audit rows [${actions.join(', ')}] but no result`);
  return { idsByDevice, results, problems };
}

/** 1..n, what a device that allocated n outbox ids must have had acknowledged when nothing was lost. */
export function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * Replays the audit trail of every campaign and ad copy from its seeded value: each change's `before` must be
 * the value the previous change left, and the last `after` must be today's server value. A lost update, a
 * change applied without its audit row, or one applied twice from a stale read breaks the chain.
 */
export async function auditChainProblems(
  db: Kysely<Database>,
  orgId: string,
  seeded: Catalog,
  current: Catalog,
): Promise<string[]> {
  const problems: string[] = [];
  const audits = await db
    .selectFrom('audit_log')
    .select(['seq', 'action', 'entity_id', 'data'])
    .where('org_id', '=', orgId)
    .where(
      'action',
      'in',
      [...APPLIED_ACTIONS].filter((a) => a !== 'approval.requested'),
    )
    .orderBy('seq')
    .execute();
  const value = new Map<string, unknown>();
  const fieldsOf = (action: string): string[] => {
    if (action === 'campaign.renamed') return ['name'];
    if (action === 'campaign.status_changed') return ['status'];
    if (action === 'campaign.budget_changed') return ['budgetType', 'budgetMicros'];
    if (action === 'campaign.schedule_changed') return ['startDate', 'endDate'];
    return ['headline', 'primaryText', 'callToAction'];
  };
  for (const c of seeded.campaigns) {
    value.set(`${c.id}.name`, c.name);
    value.set(`${c.id}.status`, c.status);
    value.set(`${c.id}.budgetType`, c.budget_type);
    value.set(`${c.id}.budgetMicros`, c.budget_micros);
    value.set(`${c.id}.startDate`, c.start_date);
    value.set(`${c.id}.endDate`, c.end_date);
  }
  for (const a of seeded.adCopies) {
    value.set(`${a.id}.headline`, a.headline);
    value.set(`${a.id}.primaryText`, a.primary_text);
    value.set(`${a.id}.callToAction`, a.call_to_action);
  }
  for (const audit of audits) {
    const data = audit.data as { before?: Record<string, unknown>; after?: Record<string, unknown> };
    for (const field of fieldsOf(audit.action)) {
      if (data.after === undefined || !(field in data.after)) continue;
      const key = `${audit.entity_id ?? '?'}.${field}`;
      const before = data.before?.[field];
      if (before !== value.get(key)) {
        problems.push(
          `audit #${audit.seq} ${audit.action}: before ${JSON.stringify(before)} but the chain had ${JSON.stringify(value.get(key))}`,
        );
      }
      value.set(key, data.after[field]);
    }
  }
  for (const c of current.campaigns) {
    const expected: Record<string, unknown> = {
      name: c.name,
      status: c.status,
      budgetType: c.budget_type,
      budgetMicros: c.budget_micros,
      startDate: c.start_date,
      endDate: c.end_date,
    };
    for (const [field, v] of Object.entries(expected)) {
      if (value.get(`${c.id}.${field}`) !== v) {
        problems.push(
          `campaign ${c.id}.${field} is ${JSON.stringify(v)} but its audit trail ends at ${JSON.stringify(value.get(`${c.id}.${field}`))}`,
        );
      }
    }
  }
  for (const a of current.adCopies) {
    const expected: Record<string, unknown> = {
      headline: a.headline,
      primaryText: a.primary_text,
      callToAction: a.call_to_action,
    };
    for (const [field, v] of Object.entries(expected)) {
      if (value.get(`${a.id}.${field}`) !== v) {
        problems.push(
          `ad copy ${a.id}.${field} is ${JSON.stringify(v)} but its audit trail ends at ${JSON.stringify(value.get(`${a.id}.${field}`))}`,
        );
      }
    }
  }
  return problems;
}
