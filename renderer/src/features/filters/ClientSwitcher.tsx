import { useAppData } from '../../app/app-data-context';
import { useViewState } from './use-view-state';

export function ClientSwitcher() {
  const { clients } = useAppData();
  const { clientId, update } = useViewState();
  return (
    <label className="field field-inline">
      <span className="field-label">Client</span>
      <select
        className="select"
        value={clientId ?? ''}
        onChange={(event) => update({ client: event.target.value === '' ? null : event.target.value, page: 1 })}
      >
        <option value="">All clients</option>
        {clients.map((client) => (
          <option key={client.id} value={client.id}>
            {client.name} ({client.currency})
          </option>
        ))}
      </select>
    </label>
  );
}
