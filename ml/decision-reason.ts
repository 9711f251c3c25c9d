/**
 * Why the step decision took an action, in the words the console shows: the winner's expected margin and chance of
 * recovery, the best other channel, what stopping was worth, what the discount changed, and the plan it starts.
 */
import { describeAction } from './features';
import type { CandidateScore } from './plan-search';

const money = (n: number) => n.toFixed(2);
const pct = (p: number) => `${Math.round(p * 100)}%`;

/** Why `best` won among `scores`, in words (the console shows it). */
export function explainScores(best: CandidateScore, scores: CandidateScore[]): string {
  const others = scores.filter((s) => s !== best);
  const stop = scores.find((s) => s.action.channel === 'none');
  const parts = [`${describeAction(best.action)}: expected margin ${money(best.expectedMargin)} (recovery ${pct(best.probability)})`];
  const rival = others.filter((s) => s.action.channel !== best.action.channel && s !== stop).sort((a, b) => b.expectedMargin - a.expectedMargin)[0];
  if (rival) parts.push(`best other channel ${describeAction(rival.action)} ${money(rival.expectedMargin)}`);
  if (stop && stop !== best) parts.push(`stopping ${money(stop.expectedMargin)}`);
  if (best.action.channel !== 'none') {
    const sameChannel = others.filter((s) => s.action.channel === best.action.channel && s.action.discountPct !== best.action.discountPct);
    const alt = sameChannel.sort((a, b) => b.expectedMargin - a.expectedMargin)[0];
    if (alt) {
      parts.push(
        best.action.discountPct > 0
          ? `${best.action.discountPct}% off lifts recovery ${pct(alt.probability)} → ${pct(best.probability)}, worth ${money(best.expectedMargin - alt.expectedMargin)} more than ${alt.action.discountPct}%`
          : `${alt.action.discountPct}% off would lift recovery ${pct(best.probability)} → ${pct(alt.probability)} but return ${money(best.expectedMargin - alt.expectedMargin)} less`,
      );
    }
  }
  if (best.plan.length > 1) parts.push(`plan: ${best.plan.map(describeAction).join(' → ')}`);
  return parts.join('; ');
}
