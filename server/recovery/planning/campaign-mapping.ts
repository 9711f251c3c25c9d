import type { Campaign } from '../../../campaigns/types';
import type { CampaignRow } from '../../../models/campaigns';

export function campaignOf(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    priority: row.priority,
    triggerIdleMinutes: row.triggerIdleMinutes,
    eligibility: row.eligibility,
    steps: row.steps,
    quietHours: row.quietHours,
    frequencyCap: row.frequencyCap,
    expiryHours: row.expiryHours,
    attributionWindowHours: row.attributionWindowHours,
    holdoutPercent: row.holdoutPercent,
  };
}
