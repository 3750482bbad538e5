import { describe, expect, it } from 'vitest';
import { EMPTY_TOTALS, type MetricTotals } from '@kiki/shared/domain/metrics.schema';
import { buildKpis } from './kpis';

const totals = (t: Partial<MetricTotals>): MetricTotals => ({ ...EMPTY_TOTALS, ...t });

describe('buildKpis', () => {
  const current = totals({
    impressions: 100_000,
    clicks: 2_000,
    spendMicros: 1_000_000_000,
    conversions: 50,
    revenueMicros: 4_000_000_000,
  });
  const previous = totals({
    impressions: 100_000,
    clicks: 1_000,
    spendMicros: 800_000_000,
    conversions: 40,
    revenueMicros: 2_000_000_000,
  });

  it('formats the six KPIs in the given currency', () => {
    const byKey = Object.fromEntries(buildKpis(current, previous, 'USD').map((k) => [k.key, k.value]));
    expect(byKey).toEqual({
      spend: '$1,000.00',
      revenue: '$4,000.00',
      roas: '4.00×',
      conversions: '50',
      cpa: '$20.00',
      ctr: '2.00%',
    });
    expect(buildKpis(current, previous, 'JPY').find((k) => k.key === 'spend')?.value).toBe('¥1,000');
    const big = buildKpis({ ...current, revenueMicros: 16_543_020_120_000 }, previous, 'USD');
    expect(big.find((k) => k.key === 'revenue')?.value).toBe('$16,543,020');
  });

  it('compares with the previous period and judges the direction per metric', () => {
    const kpis = Object.fromEntries(buildKpis(current, previous, 'USD').map((k) => [k.key, k]));
    expect(kpis.spend).toMatchObject({ changeLabel: '+25.0%', tone: 'neutral' });
    expect(kpis.revenue).toMatchObject({ changeLabel: '+100.0%', tone: 'positive' });
    expect(kpis.roas).toMatchObject({ changeLabel: '+60.0%', tone: 'positive' });
    expect(kpis.ctr).toMatchObject({ changeLabel: '+100.0%', tone: 'positive' });
    // CPA 20 vs 20: flat. Make it rise to see it judged as bad news.
    expect(kpis.cpa).toMatchObject({ changeLabel: '0.0%', tone: 'neutral' });
    const worse = buildKpis(totals({ ...current, conversions: 25 }), previous, 'USD').find((k) => k.key === 'cpa');
    expect(worse).toMatchObject({ changeLabel: '+100.0%', tone: 'negative' });
  });

  it('shows dashes, not infinities, when there is nothing to divide by', () => {
    const kpis = buildKpis(EMPTY_TOTALS, EMPTY_TOTALS, 'EUR');
    expect(kpis.find((k) => k.key === 'roas')).toMatchObject({ value: '—', changeLabel: '—' });
    expect(kpis.find((k) => k.key === 'cpa')?.value).toBe('—');
    const fromNothing = buildKpis(current, EMPTY_TOTALS, 'USD').find((k) => k.key === 'revenue');
    expect(fromNothing).toMatchObject({ change: null, changeLabel: '—' });
  });

  it('leaves out changes when there is no previous period', () => {
    expect(buildKpis(current, null, 'USD').every((k) => k.change === null && k.tone === 'neutral')).toBe(true);
  });
});
