import { useState, type FormEvent } from 'react';
import type { AppErrorShape } from '@kiki/shared/errors';
import type { Result } from '@kiki/shared/result';
import { budgetTypeSchema, campaignStatusSchema, type Campaign } from '@kiki/shared/domain/campaign.schema';
import { NO_FORM_ERRORS, type FormErrors } from '../../lib/form-errors';
import { currencyFractionDigits } from '../../lib/money-input';
import { FormField } from '../../ui/FormField';
import { EditFormFooter } from '../../ui/EditFormFooter';
import { STATUS_LABELS } from '../../ui/StatusBadge';
import {
  campaignChangesFromForm,
  campaignFormValues,
  type CampaignChanges,
  type CampaignFormValues,
} from './campaign-edit';

const BUDGET_TYPE_LABELS = { daily: 'Daily', lifetime: 'Lifetime' } as const;

interface Props {
  campaign: Campaign;
  /** Saves locally (and queues for the server); resolves with the campaign as it now is. */
  onSave: (changes: CampaignChanges) => Promise<Result<{ campaign: Campaign }>>;
  /** Called with the saved campaign, or null when the user cancelled or changed nothing. */
  onClose: (saved: Campaign | null) => void;
}

/** Edits name, status, budget and schedule. Enter saves, Escape cancels; messages appear beside their fields. */
export function CampaignEditForm({ campaign, onSave, onClose }: Props) {
  const [values, setValues] = useState<CampaignFormValues>(() => campaignFormValues(campaign));
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [saveError, setSaveError] = useState<AppErrorShape | null>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof CampaignFormValues>(key: K, value: CampaignFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));
  const decimals = currencyFractionDigits(campaign.currency);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (saving) return;
    const edit = campaignChangesFromForm(campaign, values);
    if (!edit.ok) {
      setErrors(edit.errors);
      return;
    }
    setErrors(NO_FORM_ERRORS);
    if (edit.changes === null) {
      onClose(null);
      return;
    }
    setSaving(true);
    setSaveError(null);
    const result = await onSave(edit.changes);
    setSaving(false);
    if (result.ok) onClose(result.value.campaign);
    else setSaveError(result.error);
  };

  return (
    <form
      className="edit-form"
      aria-label={`Edit ${campaign.name}`}
      noValidate
      onSubmit={(e) => void submit(e)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose(null);
        }
      }}
    >
      <div className="edit-grid">
        <FormField label="Name" error={errors.fields.name} wide>
          {(props) => (
            <input
              {...props}
              className="input"
              value={values.name}
              maxLength={200}
              onChange={(e) => set('name', e.target.value)}
              // Opening the form is a request to edit: the first field takes the keyboard.
              autoFocus
            />
          )}
        </FormField>
        <FormField label="Status" error={errors.fields.status}>
          {(props) => (
            <select
              {...props}
              className="select"
              value={values.status}
              onChange={(e) => set('status', campaignStatusSchema.parse(e.target.value))}
            >
              {campaignStatusSchema.options.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s] ?? s}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField label="Budget type" error={errors.fields.budgetType}>
          {(props) => (
            <select
              {...props}
              className="select"
              value={values.budgetType}
              onChange={(e) => set('budgetType', budgetTypeSchema.parse(e.target.value))}
            >
              {budgetTypeSchema.options.map((t) => (
                <option key={t} value={t}>
                  {BUDGET_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField label={`Budget (${campaign.currency})`} error={errors.fields.budgetMicros}>
          {(props) => (
            <input
              {...props}
              className="input input-money"
              inputMode={decimals === 0 ? 'numeric' : 'decimal'}
              value={values.budgetAmount}
              onChange={(e) => set('budgetAmount', e.target.value)}
            />
          )}
        </FormField>
        <FormField label="Start date" error={errors.fields.startDate}>
          {(props) => (
            <input
              {...props}
              type="date"
              className="input"
              value={values.startDate}
              onChange={(e) => set('startDate', e.target.value)}
            />
          )}
        </FormField>
        <FormField label="End date" error={errors.fields.endDate} hint="Leave empty to run without an end date">
          {(props) => (
            <input
              {...props}
              type="date"
              className="input"
              value={values.endDate}
              onChange={(e) => set('endDate', e.target.value)}
            />
          )}
        </FormField>
      </div>
      <EditFormFooter
        formError={errors.form}
        saveError={saveError}
        saving={saving}
        onCancel={() => onClose(null)}
        hint="Enter saves · Esc cancels · works offline"
      />
    </form>
  );
}
