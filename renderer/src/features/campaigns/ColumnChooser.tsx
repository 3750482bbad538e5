import type { Table } from '@tanstack/react-table';
import type { CampaignListRow } from '@kiki/shared/contract/rpc-contract';

/** A disclosure listing the hideable columns as checkboxes. */
export function ColumnChooser({ table }: { table: Table<CampaignListRow> }) {
  return (
    <details className="column-chooser">
      <summary className="button">Columns</summary>
      <fieldset className="column-chooser-menu">
        <legend className="visually-hidden">Visible columns</legend>
        {table
          .getAllLeafColumns()
          .filter((c) => c.getCanHide())
          .map((c) => (
            <label key={c.id} className="checkbox">
              <input type="checkbox" checked={c.getIsVisible()} onChange={c.getToggleVisibilityHandler()} />
              {c.columnDef.meta?.label ?? c.id}
            </label>
          ))}
      </fieldset>
    </details>
  );
}
