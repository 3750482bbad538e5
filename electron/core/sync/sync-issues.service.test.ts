import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import type { MutationResult } from '@kiki/shared/sync/sync-protocol';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { createLocalEdits, type LocalEdits } from './local-edits.service';
import { listPendingMutations } from './outbox.repository';
import { applyPullPage } from './pull-apply';
import { applyPushResults } from './push-results';
import { readCampaign } from './synced-rows.repository';
import { createSyncIssues, type SyncIssues } from './sync-issues.service';
import {
  emptyChanges,
  pullPage,
  serverCampaign,
  serverClient,
  signIn,
  T0,
  type ServerCampaign,
} from './sync-test-helpers';

const NOW = new Date('2026-03-01T10:00:00.000Z');
let handle: AppDatabase;
let edits: LocalEdits;
let issues: SyncIssues;
let campaign: ServerCampaign;
let copyId: string;

beforeEach(async () => {
  handle = await openDatabase({ filename: ':memory:' });
  signIn(handle.sqlite);
  const client = serverClient({ currency: 'JPY' });
  campaign = serverCampaign(client.id, { statusVersion: 2 });
  copyId = newId();
  applyPullPage(
    handle.sqlite,
    pullPage({
      changes: {
        ...emptyChanges(),
        clients: [client],
        campaigns: [campaign],
        adCopies: [
          {
            id: copyId,
            campaignId: campaign.id,
            variantLabel: 'B',
            headline: 'Server headline',
            primaryText: 'Body',
            callToAction: 'Shop',
            generatedBy: 'human',
            createdAt: T0,
          },
        ],
      },
    }),
    NOW,
  );
  edits = createLocalEdits({ sqlite: handle.sqlite, now: () => NOW });
  issues = createSyncIssues({ sqlite: handle.sqlite, now: () => NOW, localEdits: edits });
});
afterEach(async () => {
  await handle.close();
});

function pushAndGet(result: (id: number) => Omit<MutationResult, 'id'>) {
  const sent = listPendingMutations(handle.sqlite, 100);
  applyPushResults(
    handle.sqlite,
    sent,
    {
      results: sent.map((m) => ({ id: m.id, ...result(m.id) })),
      lastAckedMutationId: sent.at(-1)?.id ?? 0,
      serverVersion: 1,
    },
    NOW,
  );
}

const statusConflict = (serverVersion: number) => ({
  status: 'rejected' as const,
  duplicate: false,
  error: {
    code: 'CONFLICT' as const,
    message: 'A teammate changed the status first; pick the value to keep.',
    details: {
      field: 'status',
      entity: 'campaign',
      entityId: campaign.id,
      yours: 'paused',
      theirs: 'completed',
      serverVersion,
    },
  },
  rows: { ...emptyChanges(), campaigns: [{ ...campaign, status: 'completed' as const, statusVersion: serverVersion }] },
});

describe('sync issues', () => {
  it('describe a conflict in the user’s words and keep mine by queueing it over the server version', () => {
    edits.updateCampaign({ campaignId: campaign.id, changes: { status: 'paused' } });
    pushAndGet(() => statusConflict(3));
    expect(issues.count()).toBe(1);
    expect(issues.list()).toEqual([
      {
        mutationId: 1,
        kind: 'conflict',
        summary: 'Status of Spring Sale',
        entity: { type: 'campaign', id: campaign.id, label: 'Spring Sale' },
        yours: 'Paused',
        theirs: 'Completed',
        error: expect.objectContaining({ code: 'CONFLICT' }) as unknown,
        at: NOW.toISOString(),
      },
    ]);

    expect(issues.resolve(1, 'mine')).toEqual([]);
    const [queued] = listPendingMutations(handle.sqlite, 10);
    expect(queued).toMatchObject({ id: 2, name: 'campaign.setStatus', baseVersion: 3, args: { status: 'paused' } });
    expect(readCampaign(handle.sqlite, campaign.id)?.status).toBe('paused');
  });

  it('keep theirs by just dropping the issue; an unknown id is NOT_FOUND', () => {
    edits.updateCampaign({ campaignId: campaign.id, changes: { status: 'paused' } });
    pushAndGet(() => statusConflict(3));
    expect(issues.resolve(1, 'theirs')).toEqual([]);
    expect(listPendingMutations(handle.sqlite, 10)).toEqual([]);
    expect(readCampaign(handle.sqlite, campaign.id)?.status).toBe('completed');
    expect(() => issues.resolve(1, 'theirs')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('show refused budgets and ad copy text with currency and field names, newest first', () => {
    edits.updateCampaign({ campaignId: campaign.id, changes: { budgetType: 'lifetime', budgetMicros: 1_500_000_000 } });
    edits.updateAdCopy({ adCopyId: copyId, changes: { headline: 'My headline' } });
    pushAndGet(() => ({
      status: 'rejected',
      duplicate: false,
      error: { code: 'FORBIDDEN', message: 'You can no longer edit this client; ask an admin for access.' },
    }));
    const list = issues.list();
    expect(list.map((i) => [i.summary, i.yours])).toEqual([
      ['Text of variant B of Spring Sale', 'Headline: My headline'],
      ['Budget of Spring Sale', '¥1,500 lifetime'],
    ]);
    expect(list[0]?.entity).toEqual({ type: 'adCopy', id: copyId, label: 'variant B of Spring Sale' });
    // A refused change cannot be forced through; the message says what to do instead.
    expect(() => issues.resolve(1, 'mine')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
