import type { CampaignObjective } from '@kiki/shared/domain/campaign.schema';

export const OBJECTIVE_LABELS: Readonly<Record<CampaignObjective, string>> = {
  awareness: 'Awareness',
  traffic: 'Traffic',
  engagement: 'Engagement',
  leads: 'Leads',
  sales: 'Sales',
  app_installs: 'App installs',
};
