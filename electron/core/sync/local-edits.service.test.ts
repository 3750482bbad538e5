import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { openDatabase } from '../db/open-database';
import { createTestCache, type TestCache } from '../services/test-factories';
import { createLocalEdits, type LocalEdits } from './local-edits.service';
import {
  countPending,
  deleteAcknowledged,
  enqueueMutation,
  highestMutationId,
  listPendingMutations,
  listPendingTyped,
  registrationMutationId,
} from './outbox.repository';
import { count } from './sync-test-helpers';

const NOW = new Date('2026-03-01T10:00:00.000Z');
let cache: TestCache;
let edits: LocalEdits;
let campaignId: string;

beforeEach(async () => {
  cache = await createTestCache();
  edits = createLocalEdits({ sqlite: cache.handle.sqlite, now: () => NOW });
  campaignId = cache.addCampaign(cache.addClient({ currency: 'EUR' }), { name: 'Spring Sale', status: 'active' });
});
afterEach(async () => {
  await cache.handle.close();
});

describe('editing a campaign offline', () => {
  it('changes the row at once and queues one mutation per changed field, with field versions as base', () => {
    cache.handle.sqlite
      .prepare('UPDATE campaigns SET status_version = 4, budget_version = 9 WHERE id = ?')
      .run(campaignId);
    const result = edits.updateCampaign({
      campaignId,
      changes: {
        name: 'Summer Sale',
        status: 'paused',
        budgetType: 'lifetime',
        budgetMicros: 7_000_000_000,
        endDate: '2026-06-30',
      },
    });
    expect(result.campaign).toMatchObject({
      id: campaignId,
      name: 'Summer Sale',
      status: 'paused',
      budgetType: 'lifetime',
      budgetMicros: 7_000_000_000,
      endDate: '2026-06-30',
      currency: 'EUR',
      updatedAt: NOW.toISOString(),
    });
    expect(result.pendingCount).toBe(4);
    const queued = listPendingMutations(cache.handle.sqlite, 10);
    expect(queued.map((m) => [m.name, m.baseVersion])).toEqual([
      ['campaign.rename', undefined],
      ['campaign.setStatus', 4],
      ['campaign.setBudget', 9],
      ['campaign.setSchedule', undefined],
    ]);
    expect(queued[2]?.args).toEqual({ campaignId, budgetType: 'lifetime', budgetMicros: 7_000_000_000 });
    expect(queued[3]?.args).toEqual({ campaignId, startDate: '2025-01-01', endDate: '2026-06-30' });
    expect(queued.every((m) => m.createdAt === NOW.toISOString())).toBe(true);
    const search = cache.handle.sqlite
      .prepare('SELECT search_name FROM campaigns WHERE id = ?')
      .pluck()
      .get(campaignId);
    expect(search).toBe('summer sale');
  });

  it('queues nothing for fields that do not change', () => {
    const result = edits.updateCampaign({ campaignId, changes: { name: 'Spring Sale', status: 'active' } });
    expect(result.pendingCount).toBe(0);
    expect(countPending(cache.handle.sqlite)).toBe(0);
  });

  it('lets a second offline edit of the status quote the version the first will produce', () => {
    edits.updateCampaign({ campaignId, changes: { status: 'paused' } });
    edits.updateCampaign({ campaignId, changes: { status: 'active' } });
    expect(listPendingTyped(cache.handle.sqlite).map((m) => m.baseVersion)).toEqual([0, 1]);
    // ...which is why the second one is only sent once the first one's answer is in.
    expect(listPendingMutations(cache.handle.sqlite, 10)).toHaveLength(1);
  });

  it('refuses an unknown campaign with NOT_FOUND and an end before the start with VALIDATION_FAILED', () => {
    expect(() => edits.updateCampaign({ campaignId: newId(), changes: { name: 'X' } })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => edits.updateCampaign({ campaignId, changes: { name: 'Renamed', endDate: '2024-01-01' } })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(count(cache.handle.sqlite, 'outbox')).toBe(0);
    expect(cache.handle.sqlite.prepare('SELECT name FROM campaigns').pluck().get()).toBe('Spring Sale');
  });

  it('writes nothing at all when the queue insert fails half-way through an edit', () => {
    cache.handle.sqlite.exec(`CREATE TEMP TRIGGER fail_budget BEFORE INSERT ON outbox
      WHEN NEW.name = 'campaign.setBudget' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() =>
      edits.updateCampaign({ campaignId, changes: { name: 'Half', budgetType: 'daily', budgetMicros: 1 } }),
    ).toThrow(/disk full/);
    expect(count(cache.handle.sqlite, 'outbox')).toBe(0);
    expect(cache.handle.sqlite.prepare('SELECT name, budget_micros FROM campaigns').get()).toEqual({
      name: 'Spring Sale',
      budget_micros: 100_000_000,
    });
  });
});

describe('editing an ad copy offline', () => {
  it('queues only the changed text fields', () => {
    const copyId = newId();
    cache.catalog.insertAdCopy({
      id: copyId,
      campaignId,
      variantLabel: 'A',
      headline: 'Old',
      primaryText: 'Body',
      callToAction: 'Buy',
      generatedBy: 'ai',
      createdAt: NOW.toISOString(),
    });
    const result = edits.updateAdCopy({ adCopyId: copyId, changes: { headline: 'New', callToAction: 'Buy' } });
    expect(result.copy).toMatchObject({ headline: 'New', primaryText: 'Body', callToAction: 'Buy' });
    expect(listPendingMutations(cache.handle.sqlite, 10).map((m) => m.args)).toEqual([
      { adCopyId: copyId, headline: 'New' },
    ]);
    expect(() => edits.updateAdCopy({ adCopyId: newId(), changes: { headline: 'X' } })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});

describe('mutation ids', () => {
  it('increase strictly and are never reused after deletions and a reopen of the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiki-outbox-'));
    const filename = path.join(dir, 'kiki.sqlite');
    try {
      let file = await openDatabase({ filename });
      const rename = { name: 'campaign.rename' as const, args: { campaignId: newId(), name: 'X' } };
      const first = [1, 2, 3].map(() => enqueueMutation(file.sqlite, rename, null, NOW.toISOString()));
      expect(first).toEqual([1, 2, 3]);
      deleteAcknowledged(file.sqlite, [], 3);
      expect(countPending(file.sqlite)).toBe(0);
      await file.close();

      file = await openDatabase({ filename });
      expect(highestMutationId(file.sqlite)).toBe(3);
      expect(registrationMutationId(file.sqlite)).toBe(3);
      expect(enqueueMutation(file.sqlite, rename, null, NOW.toISOString())).toBe(4);
      expect(enqueueMutation(file.sqlite, rename, null, NOW.toISOString())).toBe(5);
      // A new device registration must not claim the still-queued 4 and 5 were sent.
      expect(registrationMutationId(file.sqlite)).toBe(3);
      expect(highestMutationId(file.sqlite)).toBe(5);
      await file.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
