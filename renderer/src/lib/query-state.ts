import { z } from 'zod';
import type { DateRange, IsoDate } from '@kiki/shared/dates';
import { granularitySchema, campaignSortColumnSchema, sortDirectionSchema } from '@kiki/shared/contract/rpc-contract';
import type { CampaignSortColumn, Granularity } from '@kiki/shared/contract/rpc-contract';
import { platformSchema, type Platform } from '@kiki/shared/domain/platform.schema';
import { campaignStatusSchema, type CampaignStatus } from '@kiki/shared/domain/campaign.schema';
import { DEFAULT_PRESET, isDatePreset, parseIsoDate, presetRange, type DatePreset } from './date-presets';

/*
 * Where the operator is (client, period, filters) lives in the query string so links, reloads and back/forward
 * restore it. Anything unreadable falls back to the default instead of breaking the page.
 */

export type RangeSelection = { kind: 'preset'; preset: DatePreset } | { kind: 'custom'; range: DateRange };

export interface CampaignSort {
  column: CampaignSortColumn;
  direction: 'asc' | 'desc';
}

export interface CampaignFilters {
  platforms: Platform[];
  statuses: CampaignStatus[];
  search: string;
  sort: CampaignSort;
  page: number;
  pageSize: PageSize;
}

export const PAGE_SIZES = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 50;

function isPageSize(value: number): value is PageSize {
  return (PAGE_SIZES as readonly number[]).includes(value);
}

export const DEFAULT_SORT: CampaignSort = { column: 'spend', direction: 'desc' };
export const DEFAULT_GRANULARITY: Granularity = 'day';

/** Longest custom range accepted from a URL; keeps a typo like 0202 from asking core for 1,800 years. */
export const MAX_RANGE_DAYS = 3660;

const uuidSchema = z.uuid();

export function readClientId(params: URLSearchParams): string | null {
  const value = params.get('client');
  return value !== null && uuidSchema.safeParse(value).success ? value : null;
}

export function readRangeSelection(params: URLSearchParams): RangeSelection {
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null && to !== null) {
    const fromDate = parseIsoDate(from);
    const toDate = parseIsoDate(to);
    if (fromDate !== null && toDate !== null && from <= to) {
      const days = (toDate.getTime() - fromDate.getTime()) / 86_400_000;
      if (days < MAX_RANGE_DAYS) return { kind: 'custom', range: { from, to } };
    }
  }
  const preset = params.get('range');
  return { kind: 'preset', preset: preset !== null && isDatePreset(preset) ? preset : DEFAULT_PRESET };
}

export function resolveRange(selection: RangeSelection, today: IsoDate): DateRange {
  return selection.kind === 'custom' ? selection.range : presetRange(selection.preset, today);
}

export function readGranularity(params: URLSearchParams): Granularity {
  const parsed = granularitySchema.safeParse(params.get('g'));
  return parsed.success ? parsed.data : DEFAULT_GRANULARITY;
}

function readList<T>(params: URLSearchParams, key: string, schema: z.ZodType<T>): T[] {
  const raw = params.get(key);
  if (raw === null || raw === '') return [];
  const values: T[] = [];
  for (const part of raw.split(',')) {
    const parsed = schema.safeParse(part);
    if (parsed.success && !values.includes(parsed.data)) values.push(parsed.data);
  }
  return values;
}

export function readCampaignFilters(params: URLSearchParams): CampaignFilters {
  const [column, direction] = (params.get('sort') ?? '').split('.');
  const sortColumn = campaignSortColumnSchema.safeParse(column);
  const sortDirection = sortDirectionSchema.safeParse(direction);
  const page = Number(params.get('page') ?? '1');
  const pageSize = Number(params.get('size') ?? DEFAULT_PAGE_SIZE);
  return {
    platforms: readList(params, 'platform', platformSchema),
    statuses: readList(params, 'status', campaignStatusSchema),
    search: (params.get('q') ?? '').slice(0, 200),
    sort:
      sortColumn.success && sortDirection.success
        ? { column: sortColumn.data, direction: sortDirection.data }
        : DEFAULT_SORT,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: isPageSize(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

export interface QueryUpdate {
  client?: string | null;
  range?: RangeSelection;
  granularity?: Granularity;
  platforms?: readonly Platform[];
  statuses?: readonly CampaignStatus[];
  search?: string;
  sort?: CampaignSort;
  page?: number;
  pageSize?: PageSize;
}

function setOrDelete(params: URLSearchParams, key: string, value: string | null): void {
  if (value === null || value === '') params.delete(key);
  else params.set(key, value);
}

/** A copy of `params` with `update` applied; defaults are left out so URLs stay short. */
export function withQueryUpdate(params: URLSearchParams, update: QueryUpdate): URLSearchParams {
  const next = new URLSearchParams(params);
  if (update.client !== undefined) setOrDelete(next, 'client', update.client);
  if (update.range !== undefined) {
    if (update.range.kind === 'custom') {
      next.delete('range');
      next.set('from', update.range.range.from);
      next.set('to', update.range.range.to);
    } else {
      next.delete('from');
      next.delete('to');
      setOrDelete(next, 'range', update.range.preset === DEFAULT_PRESET ? null : update.range.preset);
    }
  }
  if (update.granularity !== undefined) {
    setOrDelete(next, 'g', update.granularity === DEFAULT_GRANULARITY ? null : update.granularity);
  }
  if (update.platforms !== undefined) setOrDelete(next, 'platform', update.platforms.join(','));
  if (update.statuses !== undefined) setOrDelete(next, 'status', update.statuses.join(','));
  if (update.search !== undefined) setOrDelete(next, 'q', update.search.trim());
  if (update.sort !== undefined) {
    const isDefault = update.sort.column === DEFAULT_SORT.column && update.sort.direction === DEFAULT_SORT.direction;
    setOrDelete(next, 'sort', isDefault ? null : `${update.sort.column}.${update.sort.direction}`);
  }
  if (update.page !== undefined) setOrDelete(next, 'page', update.page <= 1 ? null : String(update.page));
  if (update.pageSize !== undefined) {
    setOrDelete(next, 'size', update.pageSize === DEFAULT_PAGE_SIZE ? null : String(update.pageSize));
  }
  return next;
}

/** The shared part of the query (client and period) to carry along when following a link to another page. */
export function carriedQuery(params: URLSearchParams): string {
  const carried = new URLSearchParams();
  for (const key of ['client', 'range', 'from', 'to']) {
    const value = params.get(key);
    if (value !== null) carried.set(key, value);
  }
  const text = carried.toString();
  return text === '' ? '' : `?${text}`;
}
