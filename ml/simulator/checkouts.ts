/**
 * One abandoned checkout as its first decision sees it (the demo traffic and bench:ml draw them): a simulated
 * shopper (shoppers.ts) and the decision context the engine would build at abandonment.
 */
import { keyOf } from './draws';
import { decisionContextOf } from '../decision-context';
import { engineView } from './engine-view';
import type { DecisionContext } from '../features';
import type { Random } from '../random';
import { drawShopper, type SimShopper } from './shoppers';
import type { World, WorldStage } from './world';

export interface SimulatedCheckout {
  id: string;
  segmentIndex: number;
  stage: WorldStage;
  abandonedAt: Date;
  /** The observable facts at the first decision (no message sent yet). */
  ctx: DecisionContext;
  shopper: SimShopper;
}

export function drawCheckout(world: World, random: Random, id: string, abandonedAt: Date): SimulatedCheckout {
  const shopper = drawShopper(world, keyOf(Math.floor(random() * 4294967296), Math.floor(random() * 4294967296)), id, abandonedAt);
  const at = shopper.abandonedAt;
  const ctx = decisionContextOf(engineView(world.campaign, { shopper, sent: [] }, at.getTime()), 0, at);
  return { id, segmentIndex: shopper.segmentIndex, stage: shopper.stage, abandonedAt: at, ctx, shopper };
}

/** `count` checkouts abandoned evenly over `days` days ending at `end`. */
export function drawCheckouts(world: World, random: Random, count: number, end: Date, days: number, prefix: string): SimulatedCheckout[] {
  const start = end.getTime() - days * 86_400_000;
  return Array.from({ length: count }, (_, i) => drawCheckout(world, random, `${prefix}-${i}`, new Date(start + ((i + 0.5) / count) * days * 86_400_000)));
}
