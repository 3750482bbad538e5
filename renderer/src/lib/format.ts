import { MICROS_PER_UNIT } from '@kiki/shared/money';

const DEFAULT_LOCALE = 'en-US';
const formatters = new Map<string, Intl.NumberFormat>();

// Intl.NumberFormat construction is slow relative to formatting; tables format thousands of cells.
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Money in its own currency; Intl decides the minor units (JPY has none, USD two). */
export function formatMoney(micros: number, currency: string, locale = DEFAULT_LOCALE): string {
  return numberFormat(locale, { style: 'currency', currency }).format(micros / MICROS_PER_UNIT);
}

/** Amounts from which headline figures drop the minor unit: cents on ten thousand are noise in a KPI card. */
const WHOLE_UNITS_FROM = 10_000;

/** Money for KPI cards: exact below 10,000 units, whole units above ("€21,580,813"). */
export function formatKpiMoney(micros: number, currency: string, locale = DEFAULT_LOCALE): string {
  if (Math.abs(micros / MICROS_PER_UNIT) < WHOLE_UNITS_FROM) return formatMoney(micros, currency, locale);
  return numberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: 0,
    maximumFractionDigits: 0,
  }).format(micros / MICROS_PER_UNIT);
}

/** Short money for chart axes and cards: "$1.2M", "¥35K". */
export function formatCompactMoney(micros: number, currency: string, locale = DEFAULT_LOCALE): string {
  return numberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(
    micros / MICROS_PER_UNIT,
  );
}

export function formatInteger(value: number, locale = DEFAULT_LOCALE): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

export function formatCompactNumber(value: number, locale = DEFAULT_LOCALE): string {
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** A ratio (0.0123) as a percentage ("1.23%"); null renders as an em dash. */
export function formatPercent(ratio: number | null, locale = DEFAULT_LOCALE, fractionDigits = 2): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  return numberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(ratio);
}

/** Return on ad spend as a multiple: "3.42×". */
export function formatRoas(roas: number | null, locale = DEFAULT_LOCALE): string {
  if (roas === null || !Number.isFinite(roas)) return '—';
  return `${numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(roas)}×`;
}

export function formatOptionalMoney(micros: number | null, currency: string, locale = DEFAULT_LOCALE): string {
  return micros === null ? '—' : formatMoney(micros, currency, locale);
}

/**
 * Relative change from `previous` to `current` (0.1 = +10%). Null when there is no base to compare with, because
 * "+∞%" tells an operator nothing.
 */
export function percentChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  if (previous === 0) return current === 0 ? 0 : null;
  return (current - previous) / Math.abs(previous);
}

/** "+12.3%", "−4.0%", "0.0%"; null as "—". */
export function formatChange(change: number | null, locale = DEFAULT_LOCALE): string {
  if (change === null || !Number.isFinite(change)) return '—';
  return numberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(change);
}
