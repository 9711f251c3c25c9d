/**
 * Scores every candidate action by the best sequence it can start: the model estimates how likely the
 * checkout is recovered if the sequence ends at each possible point, and a sequence is worth
 *
 *   P(recovered) × (cart value × margin rate − cart value × largest percent offered / 100) − its message costs.
 *
 * Looking ahead matters because a reminder now is worth more when an offer can follow it later; messages
 * already sent are sunk and not counted.
 */
import type { ChannelKind } from '../campaigns/types';
import { type Action, type DecisionContext, encodeFeatures, maxDiscount, sequenceAfter } from './features';
import type { RecoveryModel } from './model';

export interface Economics {
  /** Share of the cart's value the merchant keeps on an order, before any discount. */
  marginRate: number;
  messageCost: Record<ChannelKind, number>;
}

export interface Lookahead {
  /** How many steps the campaign may still take after this one. */
  steps: number;
  /** The actions allowed at a later step, given the context it would have then. */
  candidates: (ctx: DecisionContext) => Action[];
}

export interface CandidateScore {
  action: Action;
  /** P(recovered) of the best sequence starting with this action. */
  probability: number;
  expectedMargin: number;
  /** That sequence, this action first ('none' ends it). */
  plan: Action[];
}

interface Node {
  action: Action;
  cost: number;
  /** Index of the model row scoring the sequence ending here, or children to continue with. */
  row: number;
  children: Node[];
  payoff: number;
}

const MAX_ROWS = 20_000;

function nextContext(ctx: DecisionContext, action: Action): DecisionContext {
  return { ...ctx, stepIndex: ctx.stepIndex + 1, messagesSent: sequenceAfter(ctx, action) };
}

function messageCost(action: Action, economics: Economics): number {
  return action.channel === 'none' ? 0 : economics.messageCost[action.channel];
}

function expand(ctx: DecisionContext, candidates: Action[], depth: number, lookahead: Lookahead | undefined, economics: Economics, rows: number[][]): Node[] {
  return candidates.map((action) => {
    const cost = messageCost(action, economics);
    if (action.channel !== 'none' && depth > 0 && lookahead && rows.length < MAX_ROWS) {
      const next = nextContext(ctx, action);
      const children = expand(next, lookahead.candidates(next), depth - 1, lookahead, economics, rows);
      if (children.length > 0) return { action, cost, row: -1, children, payoff: 0 };
    }
    rows.push(encodeFeatures(ctx, action));
    const discountPct = maxDiscount(sequenceAfter(ctx, action));
    return { action, cost, row: rows.length - 1, children: [], payoff: ctx.cartValue * (economics.marginRate - discountPct / 100) };
  });
}

function best(node: Node, p: number[], offset: number): { value: number; probability: number; plan: Action[] } {
  if (node.row >= 0) {
    const probability = p[offset + node.row];
    return { value: probability * node.payoff - node.cost, probability, plan: [node.action] };
  }
  let top = best(node.children[0], p, offset);
  for (const child of node.children.slice(1)) {
    const candidate = best(child, p, offset);
    if (candidate.value > top.value) top = candidate;
  }
  return { value: top.value - node.cost, probability: top.probability, plan: [node.action, ...top.plan] };
}

export interface ScoringRequest {
  ctx: DecisionContext;
  candidates: Action[];
  lookahead?: Lookahead;
}

const PREDICT_CHUNK = 65_536;

/** Scores many decisions with few model calls (the rows of all their plans are predicted together). */
export function scoreMany(model: RecoveryModel, requests: readonly ScoringRequest[], economics: Economics): CandidateScore[][] {
  const rows: number[][] = [];
  const trees = requests.map((r) => {
    const offset = rows.length;
    const own: number[][] = [];
    const nodes = expand(r.ctx, r.candidates, r.lookahead?.steps ?? 0, r.lookahead, economics, own);
    for (const row of own) rows.push(row);
    return { nodes, offset };
  });
  const p: number[] = [];
  for (let i = 0; i < rows.length; i += PREDICT_CHUNK) for (const v of model.predictEncoded(rows.slice(i, i + PREDICT_CHUNK))) p.push(v);
  return trees.map(({ nodes, offset }) =>
    nodes.map((node) => {
      const b = best(node, p, offset);
      return { action: node.action, probability: b.probability, expectedMargin: b.value, plan: b.plan };
    }),
  );
}

export function scoreCandidates(model: RecoveryModel, ctx: DecisionContext, candidates: Action[], economics: Economics, lookahead?: Lookahead): CandidateScore[] {
  return scoreMany(model, [{ ctx, candidates, lookahead }], economics)[0];
}
