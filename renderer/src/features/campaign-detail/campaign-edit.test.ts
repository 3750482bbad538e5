import { describe, expect, it } from 'vitest';
import type { Campaign } from '@kiki/shared/domain/campaign.schema';
import { campaignChangesFromForm, campaignFormValues } from './campaign-edit';

function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: '0190f0a0-0000-7000-8000-0000000000c1',
    clientId: '0190f0a0-0000-7000-8000-0000000000a1',
    name: 'Spring Sale',
    objective: 'sales',
    status: 'active',
    budgetType: 'daily',
    budgetMicros: 150_000_000,
    currency: 'USD',
    startDate: '2026-03-01',
    endDate: '2026-04-30',
    platforms: ['meta'],
    updatedAt: '2026-03-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('campaignChangesFromForm', () => {
  it('starts from the campaign and reports no change when nothing was touched', () => {
    const c = campaign();
    expect(campaignChangesFromForm(c, campaignFormValues(c))).toEqual({ ok: true, changes: null });
  });

  it('sends only the fields that changed', () => {
    const c = campaign();
    expect(campaignChangesFromForm(c, { ...campaignFormValues(c), name: 'Spring Sale EU', status: 'paused' })).toEqual({
      ok: true,
      changes: { name: 'Spring Sale EU', status: 'paused' },
    });
  });

  it('sends budget type and exact micros together when either changes', () => {
    const c = campaign();
    expect(campaignChangesFromForm(c, { ...campaignFormValues(c), budgetAmount: '1,200.29' })).toEqual({
      ok: true,
      changes: { budgetType: 'daily', budgetMicros: 1_200_290_000 },
    });
    expect(campaignChangesFromForm(c, { ...campaignFormValues(c), budgetType: 'lifetime' })).toEqual({
      ok: true,
      changes: { budgetType: 'lifetime', budgetMicros: 150_000_000 },
    });
  });

  it('sends both dates when the schedule changes, and an empty end date as no end', () => {
    const c = campaign();
    expect(campaignChangesFromForm(c, { ...campaignFormValues(c), endDate: '' })).toEqual({
      ok: true,
      changes: { startDate: '2026-03-01', endDate: null },
    });
  });

  it('puts the validation messages on the fields they belong to', () => {
    const c = campaign();
    const result = campaignChangesFromForm(c, {
      ...campaignFormValues(c),
      name: '   ',
      budgetAmount: '12.345',
      endDate: '2026-02-01',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        fields: {
          name: 'a campaign needs a name',
          budgetMicros: 'USD amounts have at most 2 decimals',
          endDate: 'the end date must be on or after the start date',
        },
        form: null,
      },
    });
  });
});
