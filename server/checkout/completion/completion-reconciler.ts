import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PG_POOL } from '../../database/database';
import { PaymentRouter } from '../../payments/payment-router';
import { CheckoutCompletionService } from './checkout-completion.service';

interface StaleCharge {
  checkout_id: string;
  source_id: string;
  public_id: string;
  charge_key: string;
  external_id: string;
}

/**
 * Settles payments a crash left in `charging`: asks the providers what became of the charge (by its keys), and
 * records the order when it went through or reopens the checkout when it did not. It never charges. Runs at
 * start-up and then every `CHECKOUT_RECONCILE_INTERVAL_S`, taking charges older than the payment timeout with
 * a lease so replicas do not settle the same one at once.
 */
@Injectable()
export class CompletionReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CompletionReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly router: PaymentRouter,
    private readonly completion: CheckoutCompletionService,
  ) {}

  onApplicationBootstrap() {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.checkout.reconcileIntervalS * 1000);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.running;
  }

  private tick() {
    if (this.running) return;
    this.running = this.reconcileStale()
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`reconciling payments: ${error.message}`))
      .finally(() => (this.running = undefined));
  }

  /** Settles every stale charge once; returns how many it settled either way. */
  async reconcileStale(): Promise<number> {
    const staleAfterMs = this.config.checkout.reconcileAfterS * 1000;
    // The lease: moving charging_since forward hides the charge from other replicas for another stale period.
    const { rows } = await this.pool.query<StaleCharge>(
      `UPDATE checkout_sessions SET charging_since = now()
        WHERE checkout_id IN (SELECT checkout_id FROM checkout_sessions WHERE state = 'charging' AND charging_since < now() - make_interval(secs => $1) ORDER BY charging_since LIMIT 50 FOR UPDATE SKIP LOCKED)
        RETURNING checkout_id, source_id, public_id, charge_key, (SELECT external_id FROM checkouts k WHERE k.id = checkout_id) AS external_id`,
      [staleAfterMs / 1000],
    );
    let settled = 0;
    for (const charge of rows) {
      const result = await this.router.reconcile(charge.charge_key);
      if (result.kind === 'succeeded') {
        await this.completion.finishInterrupted(charge.source_id, charge.checkout_id, charge.public_id, charge.charge_key, { provider: result.provider, providerReference: result.providerReference });
        this.logger.log(`checkout ${charge.public_id}: the provider had charged it; order recorded`);
        settled++;
      } else if (result.kind === 'not_charged') {
        await this.completion.reopen(
          charge.source_id,
          { checkoutId: charge.checkout_id, publicId: charge.public_id, checkoutRef: charge.external_id, chargeKey: charge.charge_key },
          502,
          { error: 'payment_unavailable', message: 'the payment was interrupted and nothing was charged' },
        );
        this.logger.log(`checkout ${charge.public_id}: nothing was charged; reopened`);
        settled++;
      } else {
        this.logger.warn(`checkout ${charge.public_id}: the providers cannot yet say whether charge ${charge.charge_key} went through; will ask again`);
      }
    }
    return settled;
  }
}
