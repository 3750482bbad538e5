import { describe, expect, it } from 'vitest';
import {
  carriedQuery,
  DEFAULT_SORT,
  readCampaignFilters,
  readClientId,
  readGranularity,
  readRangeSelection,
  resolveRange,
  withQueryUpdate,
} from './query-state';

const CLIENT = '0190f0a0-0000-7000-8000-000000000001';
const q = (text: string) => new URLSearchParams(text);

describe('client and range', () => {
  it('reads a valid client id and ignores anything else', () => {
    expect(readClientId(q(`client=${CLIENT}`))).toBe(CLIENT);
    expect(readClientId(q('client=robert-tables'))).toBeNull();
    expect(readClientId(q(''))).toBeNull();
  });

  it('defaults to the last 30 days and reads presets', () => {
    expect(readRangeSelection(q(''))).toEqual({ kind: 'preset', preset: '30d' });
    expect(readRangeSelection(q('range=qtd'))).toEqual({ kind: 'preset', preset: 'qtd' });
    expect(readRangeSelection(q('range=forever'))).toEqual({ kind: 'preset', preset: '30d' });
  });

  it('reads a custom range only when both ends are real days in order', () => {
    expect(readRangeSelection(q('from=2026-01-01&to=2026-01-31'))).toEqual({
      kind: 'custom',
      range: { from: '2026-01-01', to: '2026-01-31' },
    });
    expect(readRangeSelection(q('from=2026-02-01&to=2026-01-31')).kind).toBe('preset');
    expect(readRangeSelection(q('from=2026-02-30&to=2026-03-31')).kind).toBe('preset');
    expect(readRangeSelection(q('from=0202-01-01&to=2026-03-31')).kind).toBe('preset');
  });

  it('resolves presets against the given today', () => {
    expect(resolveRange({ kind: 'preset', preset: '7d' }, '2026-03-15')).toEqual({
      from: '2026-03-09',
      to: '2026-03-15',
    });
  });

  it('round-trips through withQueryUpdate and drops defaults', () => {
    const custom = withQueryUpdate(q('range=7d'), {
      range: { kind: 'custom', range: { from: '2026-01-01', to: '2026-01-02' } },
    });
    expect(custom.toString()).toBe('from=2026-01-01&to=2026-01-02');
    const back = withQueryUpdate(custom, { range: { kind: 'preset', preset: '30d' }, client: CLIENT });
    expect(back.toString()).toBe(`client=${CLIENT}`);
    expect(withQueryUpdate(back, { client: null }).toString()).toBe('');
  });
});

describe('granularity', () => {
  it('reads day, week or month and defaults to day', () => {
    expect(readGranularity(q('g=week'))).toBe('week');
    expect(readGranularity(q('g=hour'))).toBe('day');
    expect(withQueryUpdate(q('g=month'), { granularity: 'day' }).toString()).toBe('');
  });
});

describe('campaign filters', () => {
  it('reads lists, text, sort and page, skipping unknown values', () => {
    expect(readCampaignFilters(q('platform=meta,fax,tiktok,meta&status=active&q=Spring&sort=roas.asc&page=3'))).toEqual(
      {
        platforms: ['meta', 'tiktok'],
        statuses: ['active'],
        search: 'Spring',
        sort: { column: 'roas', direction: 'asc' },
        page: 3,
        pageSize: 50,
      },
    );
  });

  it('falls back to defaults for a broken sort or page', () => {
    const filters = readCampaignFilters(q('sort=password.up&page=-2'));
    expect(filters.sort).toEqual(DEFAULT_SORT);
    expect(filters.page).toBe(1);
    expect(readCampaignFilters(q('size=7')).pageSize).toBe(50);
  });

  it('reads and writes the page size, leaving the default out', () => {
    expect(readCampaignFilters(q('size=25')).pageSize).toBe(25);
    expect(withQueryUpdate(q(''), { pageSize: 100 }).get('size')).toBe('100');
    expect(withQueryUpdate(q('size=100'), { pageSize: 50 }).toString()).toBe('');
  });

  it('writes filters and clears them again', () => {
    const written = withQueryUpdate(q(''), {
      platforms: ['meta', 'google_ads'],
      statuses: [],
      search: '  launch ',
      sort: { column: 'name', direction: 'asc' },
      page: 2,
    });
    expect(written.get('platform')).toBe('meta,google_ads');
    expect(written.get('q')).toBe('launch');
    expect(written.get('sort')).toBe('name.asc');
    expect(written.get('page')).toBe('2');
    expect(withQueryUpdate(written, { platforms: [], search: '', sort: DEFAULT_SORT, page: 1 }).toString()).toBe('');
  });
});

describe('carriedQuery', () => {
  it('keeps client and period but not page-specific filters', () => {
    expect(carriedQuery(q(`client=${CLIENT}&range=7d&platform=meta&page=4`))).toBe(`?client=${CLIENT}&range=7d`);
    expect(carriedQuery(q('platform=meta'))).toBe('');
  });
});
