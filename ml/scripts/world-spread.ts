/**
 * How the learned policy holds up on worlds it was not tuned on: `node -r @swc-node/register
 * ml/scripts/world-spread.ts [--seeds 1,2,3,4,5,6] [--history 50000] [--eval 20000]` runs `ml:eval` on
 * generated v2 worlds (simulator/random-world.ts) and prints each one's ratios, then min / median / max.
 */
import { parseArgs } from 'node:util';
import { randomWorld } from '../simulator/random-world';
import { runWorldEvaluation } from '../world-evaluation';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3,4,5,6' }, history: { type: 'string', default: '50000' }, eval: { type: 'string', default: '20000' } } });
const seeds = values.seeds.split(',').map(Number);

function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `min ${s[0].toFixed(3)}  median ${median.toFixed(3)}  max ${s[s.length - 1].toFixed(3)}`;
}

async function main() {
  const ratios: number[] = [];
  const discountRatios: number[] = [];
  const rulesRatios: number[] = [];
  const oracleShares: number[] = [];
  const oracleRatios: number[] = [];
  for (const seed of seeds) {
    const world = randomWorld(seed, { history: Number(values.history), eval: Number(values.eval) });
    const { result } = await runWorldEvaluation(world);
    ratios.push(result.ratio);
    discountRatios.push(result.discount_cost_ratio as number);
    rulesRatios.push(result.ratio_vs_rules as number);
    oracleShares.push(result.share_of_oracle_gain_over_no_messages as number);
    oracleRatios.push(result.oracle_ratio as number);
    console.log(
      `seed ${seed}: ratio vs fixed ${result.ratio.toFixed(3)}, discount cost ratio ${(result.discount_cost_ratio as number).toFixed(3)}, ratio vs rules ${(result.ratio_vs_rules as number).toFixed(3)}, oracle vs fixed ${(result.oracle_ratio as number).toFixed(3)}, share of oracle gain ${(result.share_of_oracle_gain_over_no_messages as number).toFixed(3)}, no messages ${(result.no_messages_margin_per_1000 as number).toFixed(0)} vs fixed ${result.baseline_value.toFixed(0)} per 1000, promoted ${String(result.promoted)}, ${result.total_s as number} s`,
    );
  }
  console.log(`margin ratio vs fixed schedule: ${spread(ratios)}`);
  console.log(`discount cost ratio:            ${spread(discountRatios)}`);
  console.log(`margin ratio vs rules:          ${spread(rulesRatios)}`);
  console.log(`oracle ratio vs fixed schedule: ${spread(oracleRatios)}`);
  console.log(`share of the oracle's gain:     ${spread(oracleShares)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
