import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushResponse } from '@kiki/shared/sync/sync-protocol';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { createLocalEdits, type LocalEdits } from './local-edits.service';
import { countPending, listPendingMutations } from './outbox.repository';
import { applyPullPage } from './pull-apply';
import { applyPushResults } from './push-results';
import { readCampaign } from './synced-rows.repository';
import { createSyncIssues } from './sync-issues.service';
import {
  count,
  emptyChanges,
  pullPage,
  serverCampaign,
  serverClient,
  signIn,
  type ServerCampaign,
} from './sync-test-helpers';

const NOW = new Date('2026-03-01T10:00:00.000Z');
let handle: AppDatabase;
let edits: LocalEdits;
let server: ServerCampaign;

const response = (results: PushResponse['results'], lastAckedMutationId: number): PushResponse => ({
  results,
  lastAckedMutationId,
  serverVersion: 10,
});

beforeEach(async () => {
  handle = await openDatabase({ filename: ':memory:' });
  signIn(handle.sqlite);
  const client = serverClient({ currency: 'EUR' });
  server = serverCampaign(client.id, { statusVersion: 3, budgetVersion: 5 });
  applyPullPage(
    handle.sqlite,
    pullPage({ changes: { ...emptyChanges(), clients: [client], campaigns: [server] } }),
    NOW,
  );
  edits = createLocalEdits({ sqlite: handle.sqlite, now: () => NOW });
});
afterEach(async () => {
  await handle.close();
});

describe('applying a push response', () => {
  it('removes every acknowledged edit, listed or covered by lastAckedMutationId, and keeps the rest', () => {
    edits.updateCampaign({ campaignId: server.id, changes: { name: 'One' } });
    edits.updateCampaign({ campaignId: server.id, changes: { name: 'Two' } });
    edits.updateCampaign({ campaignId: server.id, changes: { name: 'Three' } });
    const sent = listPendingMutations(handle.sqlite, 2);
    const outcome = applyPushResults(
      handle.sqlite,
      sent,
      response([{ id: 2, status: 'applied', duplicate: false }], 2),
      NOW,
    );
    expect(outcome).toMatchObject({ applied: 1, rejected: 0, conflicts: 0 });
    expect(listPendingMutations(handle.sqlite, 10).map((m) => m.id)).toEqual([3]);
  });

  it('records a refused change as an issue and puts the row back to the server value', () => {
    edits.updateCampaign({ campaignId: server.id, changes: { name: 'Not allowed' } });
    const sent = listPendingMutations(handle.sqlite, 10);
    const outcome = applyPushResults(
      handle.sqlite,
      sent,
      response(
        [
          {
            id: 1,
            status: 'rejected',
            duplicate: false,
            error: { code: 'FORBIDDEN', message: 'Viewers cannot rename campaigns; ask an operator.' },
            rows: { ...emptyChanges(), campaigns: [server] },
          },
        ],
        1,
      ),
      NOW,
    );
    expect(outcome).toMatchObject({ applied: 0, rejected: 1, conflicts: 0 });
    expect(outcome.touched).toEqual(expect.arrayContaining(['campaign', 'syncIssue']));
    expect(countPending(handle.sqlite)).toBe(0);
    expect(readCampaign(handle.sqlite, server.id)?.name).toBe('Spring Sale');
    const issues = createSyncIssues({ sqlite: handle.sqlite, now: () => NOW }).list();
    expect(issues).toEqual([
      expect.objectContaining({
        mutationId: 1,
        kind: 'rejected',
        summary: 'Name of Spring Sale',
        yours: 'Not allowed',
        theirs: 'Spring Sale',
        error: { code: 'FORBIDDEN', message: 'Viewers cannot rename campaigns; ask an operator.' },
        entity: { type: 'campaign', id: server.id, label: 'Spring Sale' },
      }),
    ]);
  });

  it('turns a budget conflict into an issue with both values, and the row shows theirs', () => {
    edits.updateCampaign({ campaignId: server.id, changes: { budgetType: 'daily', budgetMicros: 250_000_000 } });
    const sent = listPendingMutations(handle.sqlite, 10);
    expect(sent[0]?.baseVersion).toBe(5);
    const theirs = { ...server, budgetMicros: 180_000_000, budgetVersion: 6 };
    const outcome = applyPushResults(
      handle.sqlite,
      sent,
      response(
        [
          {
            id: 1,
            status: 'rejected',
            duplicate: false,
            error: {
              code: 'CONFLICT',
              message: 'Someone changed this budget first; choose which value to keep.',
              details: {
                field: 'budget',
                entity: 'campaign',
                entityId: server.id,
                yours: { budgetType: 'daily', budgetMicros: 250_000_000 },
                theirs: { budgetType: 'daily', budgetMicros: 180_000_000 },
                serverVersion: 6,
              },
            },
            rows: { ...emptyChanges(), campaigns: [theirs] },
          },
        ],
        1,
      ),
      NOW,
    );
    expect(outcome.conflicts).toBe(1);
    expect(readCampaign(handle.sqlite, server.id)).toMatchObject({ budgetMicros: 180_000_000, budgetVersion: 6 });
    const [issue] = createSyncIssues({ sqlite: handle.sqlite, now: () => NOW }).list();
    expect(issue).toMatchObject({
      kind: 'conflict',
      summary: 'Budget of Spring Sale',
      yours: '€250.00 per day',
      theirs: '€180.00 per day',
    });
  });

  it('restores a conflicting status from the conflict details when the server sent no row', () => {
    edits.updateCampaign({ campaignId: server.id, changes: { status: 'paused' } });
    const sent = listPendingMutations(handle.sqlite, 10);
    applyPushResults(
      handle.sqlite,
      sent,
      response(
        [
          {
            id: 1,
            status: 'rejected',
            duplicate: false,
            error: {
              code: 'CONFLICT',
              message: 'Someone changed the status first.',
              details: {
                field: 'status',
                entity: 'campaign',
                entityId: server.id,
                yours: 'paused',
                theirs: 'completed',
                serverVersion: 4,
              },
            },
          },
        ],
        1,
      ),
      NOW,
    );
    expect(readCampaign(handle.sqlite, server.id)).toMatchObject({ status: 'completed', statusVersion: 4 });
  });

  it('re-applies edits still queued on top of the rows the server sent back (rebase)', () => {
    edits.updateCampaign({ campaignId: server.id, changes: { status: 'paused' } });
    const sent = listPendingMutations(handle.sqlite, 10);
    // Made after the push left: not in `sent`, still queued.
    edits.updateCampaign({ campaignId: server.id, changes: { name: 'My pending name' } });
    const afterServer = { ...server, name: 'Renamed by a teammate', status: 'paused' as const, statusVersion: 4 };
    const outcome = applyPushResults(
      handle.sqlite,
      sent,
      response(
        [{ id: 1, status: 'applied', duplicate: false, rows: { ...emptyChanges(), campaigns: [afterServer] } }],
        1,
      ),
      NOW,
    );
    expect(outcome.applied).toBe(1);
    expect(readCampaign(handle.sqlite, server.id)).toMatchObject({
      name: 'My pending name',
      status: 'paused',
      statusVersion: 4,
    });
    expect(listPendingMutations(handle.sqlite, 10).map((m) => m.id)).toEqual([2]);
  });

  it('counts a budget over the approval threshold as an approval request and stores the approval', () => {
    edits.updateCampaign({ campaignId: server.id, changes: { budgetType: 'daily', budgetMicros: 9_000_000_000 } });
    const sent = listPendingMutations(handle.sqlite, 10);
    const approvalId = '0190a6f6-7d1e-7000-8000-00000000aaaa';
    const outcome = applyPushResults(
      handle.sqlite,
      sent,
      response(
        [
          {
            id: 1,
            status: 'approval_requested',
            duplicate: false,
            approvalId,
            rows: {
              ...emptyChanges(),
              campaigns: [server],
              approvals: [
                {
                  id: approvalId,
                  clientId: server.clientId,
                  campaignId: server.id,
                  kind: 'budget_change',
                  status: 'pending',
                  requestedBy: '0190a6f6-7d1e-7000-8000-00000000bbbb',
                  decidedBy: null,
                  payload: { budgetType: 'daily', budgetMicros: 9_000_000_000, previousBudgetMicros: 100_000_000 },
                  reason: null,
                  createdAt: NOW.toISOString(),
                  decidedAt: null,
                },
              ],
            },
          },
        ],
        1,
      ),
      NOW,
    );
    expect(outcome).toMatchObject({ approvalRequested: 1, applied: 0 });
    expect(readCampaign(handle.sqlite, server.id)?.budgetMicros).toBe(100_000_000);
    expect(handle.sqlite.prepare('SELECT requested_budget_micros, current_budget_micros FROM approvals').get()).toEqual(
      { requested_budget_micros: 9_000_000_000, current_budget_micros: 100_000_000 },
    );
    expect(count(handle.sqlite, 'sync_rejections')).toBe(0);
  });
});

describe('two offline edits of the same status', () => {
  const statusConflict = (id: number, yours: string, theirs: string) => ({
    id,
    status: 'rejected' as const,
    duplicate: false,
    error: {
      code: 'CONFLICT' as const,
      message: 'Someone changed the status first.',
      details: { field: 'status', entity: 'campaign', entityId: server.id, yours, theirs, serverVersion: 4 },
    },
    rows: { ...emptyChanges(), campaigns: [{ ...server, status: theirs as 'archived', statusVersion: 4 }] },
  });

  it('never lets the second one overwrite a teammate after the first one conflicted', () => {
    // Server status_version is 3; a teammate moves it to 4 ('archived') while this device is offline.
    edits.updateCampaign({ campaignId: server.id, changes: { status: 'paused' } });
    edits.updateCampaign({ campaignId: server.id, changes: { name: 'Renamed too' } });
    edits.updateCampaign({ campaignId: server.id, changes: { status: 'completed' } });
    const all = listPendingMutations(handle.sqlite, 10);
    // The second status edit assumed the first lands (base 4): it waits for the first one's answer.
    expect(all.map((m) => m.id)).toEqual([1, 2]);

    applyPushResults(
      handle.sqlite,
      all,
      response([statusConflict(1, 'paused', 'archived'), { id: 2, status: 'applied', duplicate: false }], 2),
      NOW,
    );
    const [second] = listPendingMutations(handle.sqlite, 10);
    // Re-based on the conflicted edit's version, so the server (at 4) answers CONFLICT, not "applied".
    expect(second).toMatchObject({ id: 3, name: 'campaign.setStatus', baseVersion: 3 });
    expect(readCampaign(handle.sqlite, server.id)).toMatchObject({ status: 'completed' });

    applyPushResults(handle.sqlite, [second!], response([statusConflict(3, 'completed', 'archived')], 3), NOW);
    const issues = createSyncIssues({ sqlite: handle.sqlite, now: () => NOW }).list();
    // One decision for the field, between the latest value the user wanted and the teammate's.
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'conflict', mutationId: 3 });
    expect(readCampaign(handle.sqlite, server.id)).toMatchObject({ status: 'archived', statusVersion: 4 });
    expect(countPending(handle.sqlite)).toBe(0);
  });
});
