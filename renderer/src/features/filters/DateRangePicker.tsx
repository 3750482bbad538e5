import { useId, useState, type FormEvent } from 'react';
import { DATE_PRESET_LABELS, DATE_PRESETS, formatRangeLabel, isDatePreset, parseIsoDate } from '../../lib/date-presets';
import { MAX_RANGE_DAYS } from '../../lib/query-state';
import { useViewState } from './use-view-state';

const CUSTOM = 'custom';

export function DateRangePicker() {
  const { selection, range, update } = useViewState();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(range);
  const [problem, setProblem] = useState<string | null>(null);
  const errorId = useId();
  const showCustom = editing || selection.kind === 'custom';
  // Until the operator types, the inputs mirror the URL (which back/forward may change underneath us).
  const shown = editing ? draft : range;

  function choose(value: string) {
    if (value === CUSTOM) {
      setDraft(range);
      setProblem(null);
      setEditing(true);
      return;
    }
    if (isDatePreset(value)) {
      setEditing(false);
      update({ range: { kind: 'preset', preset: value }, page: 1 });
    }
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    const from = parseIsoDate(shown.from);
    const to = parseIsoDate(shown.to);
    if (from === null || to === null) {
      setProblem('Enter both dates.');
      return;
    }
    if (shown.from > shown.to) {
      setProblem('The start date must be on or before the end date.');
      return;
    }
    if ((to.getTime() - from.getTime()) / 86_400_000 >= MAX_RANGE_DAYS) {
      setProblem('Choose a range of at most ten years.');
      return;
    }
    setProblem(null);
    setEditing(false);
    update({ range: { kind: 'custom', range: shown }, page: 1 });
  }

  return (
    <div className="date-range">
      <label className="field field-inline">
        <span className="field-label">Period</span>
        <select
          className="select"
          value={showCustom ? CUSTOM : selection.kind === 'preset' ? selection.preset : CUSTOM}
          onChange={(event) => choose(event.target.value)}
        >
          {DATE_PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {DATE_PRESET_LABELS[preset]}
            </option>
          ))}
          <option value={CUSTOM}>Custom range…</option>
        </select>
      </label>
      {showCustom ? (
        <form className="custom-range" onSubmit={apply} aria-label="Custom date range">
          <label className="field field-inline">
            <span className="field-label">From</span>
            <input
              className="input"
              type="date"
              value={shown.from}
              onChange={(event) => {
                setDraft({ ...shown, from: event.target.value });
                setEditing(true);
              }}
              aria-describedby={problem !== null ? errorId : undefined}
              required
            />
          </label>
          <label className="field field-inline">
            <span className="field-label">To</span>
            <input
              className="input"
              type="date"
              value={shown.to}
              onChange={(event) => {
                setDraft({ ...shown, to: event.target.value });
                setEditing(true);
              }}
              aria-describedby={problem !== null ? errorId : undefined}
              required
            />
          </label>
          <button type="submit" className="button">
            Apply
          </button>
          {problem !== null && (
            <span id={errorId} className="field-error" role="alert">
              {problem}
            </span>
          )}
        </form>
      ) : (
        <span className="range-label" aria-live="polite">
          {formatRangeLabel(range)}
        </span>
      )}
    </div>
  );
}
