/** "What the model would do now" for one checkout, as `GET /admin/api/ml/checkouts/:id/next-decision` answers it. */
export type NextDecisionPreview =
  | { available: false; reason: string }
  | {
      available: true;
      /** The step the planner would plan next (0-based) and when, as things are now. */
      stepIndex: number;
      sendAt: string;
      variant: string | null;
      modelVersion: string | null;
      action: PreviewAction;
      reason: string;
      rulesAction: PreviewAction;
      /** Every candidate, best first, with the model's estimate (null without a promoted model). */
      candidates: { action: PreviewAction; probability: number | null; expectedMargin: number | null }[];
    };

export interface PreviewAction {
  channel: 'none' | 'email' | 'push' | 'sms';
  discountPct: number;
}
