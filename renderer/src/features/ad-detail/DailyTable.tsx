import { useState } from 'react';
import type { DailyMetric } from '@kiki/shared/contract/rpc-contract';
import { deriveRatios } from '@kiki/shared/domain/metrics.schema';
import { formatInteger, formatMoney, formatOptionalMoney, formatPercent, formatRoas } from '../../lib/format';

/** Rows shown before "Show all": a month is what operators read day by day. */
export const DAILY_ROWS_INITIAL = 31;

export function DailyTable({ daily, currency }: { daily: readonly DailyMetric[]; currency: string }) {
  const [showAll, setShowAll] = useState(false);
  const newestFirst = [...daily].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  const shown = showAll ? newestFirst : newestFirst.slice(0, DAILY_ROWS_INITIAL);
  return (
    <>
      <div className="table-scroll">
        <table className="data-table compact" aria-label="Daily performance">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col" className="num">
                Impressions
              </th>
              <th scope="col" className="num">
                Clicks
              </th>
              <th scope="col" className="num">
                CTR
              </th>
              <th scope="col" className="num">
                Spend
              </th>
              <th scope="col" className="num">
                Conversions
              </th>
              <th scope="col" className="num">
                CPA
              </th>
              <th scope="col" className="num">
                Revenue
              </th>
              <th scope="col" className="num">
                ROAS
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((day) => {
              const ratios = deriveRatios(day);
              return (
                <tr key={day.date} data-date={day.date}>
                  <th scope="row" className="mono">
                    {day.date}
                  </th>
                  <td className="num">{formatInteger(day.impressions)}</td>
                  <td className="num">{formatInteger(day.clicks)}</td>
                  <td className="num">{formatPercent(ratios.ctr)}</td>
                  <td className="num">{formatMoney(day.spendMicros, currency)}</td>
                  <td className="num">{formatInteger(day.conversions)}</td>
                  <td className="num">{formatOptionalMoney(ratios.cpaMicros, currency)}</td>
                  <td className="num">{formatMoney(day.revenueMicros, currency)}</td>
                  <td className="num">{formatRoas(ratios.roas)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {newestFirst.length > DAILY_ROWS_INITIAL && (
        <button type="button" className="button button-ghost" onClick={() => setShowAll((v) => !v)}>
          {showAll
            ? `Show the latest ${DAILY_ROWS_INITIAL} days`
            : `Show all ${formatInteger(newestFirst.length)} days`}
        </button>
      )}
    </>
  );
}
