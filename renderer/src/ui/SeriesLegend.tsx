import { SERIES_COLORS } from './chart-theme';

/** HTML legend for revenue/spend charts: readable by screen readers and immune to Victory's legend quirks. */
export function SeriesLegend() {
  return (
    <ul className="series-legend">
      <li>
        <span className="series-swatch" style={{ background: SERIES_COLORS.revenue }} aria-hidden="true" />
        Revenue
      </li>
      <li>
        <span className="series-swatch" style={{ background: SERIES_COLORS.spend }} aria-hidden="true" />
        Spend
      </li>
    </ul>
  );
}
