/** How good a probability model is on labelled examples: ranking (AUC), fit (log loss), calibration. */

export interface CalibrationBin {
  /** 0–9: predictions in [bin/10, (bin+1)/10). */
  bin: number;
  predicted: number;
  observed: number;
  count: number;
}

/** Probability that a random positive is scored above a random negative (ties count half); NaN without both. */
export function auc(predictions: readonly number[], labels: readonly boolean[]): number {
  const order = predictions.map((_, i) => i).sort((a, b) => predictions[a] - predictions[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && predictions[order[j]] === predictions[order[i]]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (labels[order[k]]) [positives, rankSum] = [positives + 1, rankSum + midRank];
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function logLoss(predictions: readonly number[], labels: readonly boolean[]): number {
  if (predictions.length === 0) return Number.NaN;
  let total = 0;
  predictions.forEach((raw, i) => {
    const p = Math.min(Math.max(raw, 1e-7), 1 - 1e-7);
    total -= labels[i] ? Math.log(p) : Math.log(1 - p);
  });
  return total / predictions.length;
}

/** Ten equal-width bins of predicted probability; empty bins are reported with count 0. */
export function calibration(predictions: readonly number[], labels: readonly boolean[]): CalibrationBin[] {
  const bins = Array.from({ length: 10 }, (_, bin) => ({ bin, predictedSum: 0, positives: 0, count: 0 }));
  predictions.forEach((p, i) => {
    const b = bins[Math.min(9, Math.max(0, Math.floor(p * 10)))];
    b.predictedSum += p;
    b.positives += labels[i] ? 1 : 0;
    b.count += 1;
  });
  return bins.map((b) => ({ bin: b.bin, predicted: b.count ? b.predictedSum / b.count : 0, observed: b.count ? b.positives / b.count : 0, count: b.count }));
}
