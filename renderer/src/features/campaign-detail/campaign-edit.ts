import type { z } from 'zod';
import { campaignChangesSchema } from '@kiki/shared/contract/sync-contract';
import type { BudgetType, Campaign, CampaignStatus } from '@kiki/shared/domain/campaign.schema';
import { campaignSetScheduleArgsSchema } from '@kiki/shared/sync/sync-mutations';
import { formErrorsFromZod, type FormErrors } from '../../lib/form-errors';
import { microsToInputValue, parseMoneyInput } from '../../lib/money-input';

/** The edit form's fields as typed: text, before any parsing. */
export interface CampaignFormValues {
  name: string;
  status: CampaignStatus;
  budgetType: BudgetType;
  budgetAmount: string;
  startDate: string;
  /** Empty means "no end date". */
  endDate: string;
}

export type CampaignChanges = z.input<typeof campaignChangesSchema>;

export function campaignFormValues(campaign: Campaign): CampaignFormValues {
  return {
    name: campaign.name,
    status: campaign.status,
    budgetType: campaign.budgetType,
    budgetAmount: microsToInputValue(campaign.budgetMicros, campaign.currency),
    startDate: campaign.startDate,
    endDate: campaign.endDate ?? '',
  };
}

export type CampaignEditResult = { ok: true; changes: CampaignChanges | null } | { ok: false; errors: FormErrors };

/**
 * Only the fields the user changed, so a teammate's edit to another field is not overwritten. Budget type and
 * amount travel together, as do start and end dates (one mutation each). `changes: null` means nothing changed.
 */
export function campaignChangesFromForm(campaign: Campaign, values: CampaignFormValues): CampaignEditResult {
  const changes: CampaignChanges = {};
  const fields: FormErrors['fields'] = {};

  if (values.name.trim() !== campaign.name) changes.name = values.name;
  if (values.status !== campaign.status) changes.status = values.status;

  const budget = parseMoneyInput(values.budgetAmount, campaign.currency);
  if (!budget.ok) fields.budgetMicros = budget.message;
  else if (budget.micros !== campaign.budgetMicros || values.budgetType !== campaign.budgetType) {
    changes.budgetType = values.budgetType;
    changes.budgetMicros = budget.micros;
  }

  const endDate = values.endDate === '' ? null : values.endDate;
  if (values.startDate !== campaign.startDate || endDate !== campaign.endDate) {
    const schedule = campaignSetScheduleArgsSchema.safeParse({
      campaignId: campaign.id,
      startDate: values.startDate,
      endDate,
    });
    if (schedule.success) {
      changes.startDate = values.startDate;
      changes.endDate = endDate;
    } else {
      Object.assign(fields, { ...formErrorsFromZod(schedule.error).fields, ...fields });
    }
  }

  if (Object.keys(changes).length === 0) {
    return Object.keys(fields).length === 0
      ? { ok: true, changes: null }
      : { ok: false, errors: { fields, form: null } };
  }
  const parsed = campaignChangesSchema.safeParse(changes);
  if (!parsed.success) {
    const fromSchema = formErrorsFromZod(parsed.error);
    return { ok: false, errors: { fields: { ...fromSchema.fields, ...fields }, form: fromSchema.form } };
  }
  if (Object.keys(fields).length > 0) return { ok: false, errors: { fields, form: null } };
  return { ok: true, changes };
}
