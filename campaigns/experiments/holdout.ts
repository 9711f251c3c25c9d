/**
 * Who is held out. A share of a campaign's abandonments, and optionally a store-wide share of every shopper, is
 * enrolled as **control**: the engine plans their reminders like everyone else's and never sends them. Comparing
 * control with treatment over the same window from abandonment measures what the reminders *cause*.
 *
 * The assignment is deterministic and sticky: a keyed hash (HMAC-SHA256 with the store's experiment secret) of the
 * shopper's identity places each shopper at a fixed point of [0, 1), and a shopper is in control when that point
 * lies below the share. So the same shopper lands in the same group for every checkout, re-abandoning changes
 * nothing, and raising a share from 5 % to 10 % keeps the first 5 % in control (monotone). A new secret ("a new
 * experiment period") reshuffles everyone on purpose.
 *
 * The store-wide holdout and the campaign's are placed independently (different hash scopes), so a shopper is in
 * control with probability 1 − (1 − global)(1 − campaign); that probability is stored with the enrollment and is
 * what the analysis weights by when shares change over time.
 */
import { createHmac } from 'node:crypto';

export type Arm = 'treatment' | 'control';

export interface HoldoutShares {
  /** The store-wide holdout, percent 0–50. */
  globalPercent: number;
  /** The campaign's holdout, percent 0–50. */
  campaignPercent: number;
}

/** What is known of the shopper when the checkout is abandoned. */
export interface ShopperIdentity {
  /** The merchant's own customer id (`customer.id` in events, Segment's `userId`). */
  customerId?: string | null;
  email?: string | null;
  /** Our id for the shopper (one per resolved identity), for shoppers known only by device. */
  shopperId?: string | null;
  checkoutId: string;
}

/** The identity the assignment is keyed on: the most stable one known. */
export interface AssignmentUnit {
  kind: 'customer' | 'email' | 'shopper' | 'checkout';
  value: string;
}

export function assignmentUnit(identity: ShopperIdentity): AssignmentUnit {
  const customerId = identity.customerId?.trim();
  if (customerId) return { kind: 'customer', value: customerId };
  const email = identity.email?.trim().toLowerCase();
  if (email) return { kind: 'email', value: email };
  if (identity.shopperId) return { kind: 'shopper', value: identity.shopperId };
  return { kind: 'checkout', value: identity.checkoutId };
}

/** A point of [0, 1) fixed by the secret, the scope and the key: where this key stands in line. */
export function keyedPosition(secret: string, scope: string, key: string): number {
  const digest = createHmac('sha256', secret).update(`${scope}\n${key}`).digest();
  // 48 bits are plenty of resolution for percentages and exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export interface HoldoutAssignment {
  arm: Arm;
  /** Which holdout put the shopper in control; null in treatment. */
  holdout: 'global' | 'campaign' | null;
  /** The probability of control the shopper had under the shares in force. */
  controlProbability: number;
  unit: AssignmentUnit['kind'];
  /** The shopper's two points, kept for audits ("why is this shopper in control?"). */
  positions: { global: number; campaign: number };
}

/** The probability of control under both shares: in control when below either. */
export function controlProbabilityOf(shares: HoldoutShares): number {
  const g = shares.globalPercent / 100;
  const c = shares.campaignPercent / 100;
  return 1 - (1 - g) * (1 - c);
}

export function assignHoldout(input: { secret: string; campaignId: string; identity: ShopperIdentity; shares: HoldoutShares }): HoldoutAssignment {
  const unit = assignmentUnit(input.identity);
  const key = `${unit.kind}:${unit.value}`;
  const positions = {
    global: keyedPosition(input.secret, 'holdout:global', key),
    campaign: keyedPosition(input.secret, `holdout:campaign:${input.campaignId}`, key),
  };
  const holdout = positions.global < input.shares.globalPercent / 100 ? 'global' : positions.campaign < input.shares.campaignPercent / 100 ? 'campaign' : null;
  return { arm: holdout ? 'control' : 'treatment', holdout, controlProbability: controlProbabilityOf(input.shares), unit: unit.kind, positions };
}
