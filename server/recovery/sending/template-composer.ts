import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ChannelKind } from '../../../campaigns/types';
import type { CartSnapshot } from '../../../models/checkouts';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { OutgoingMessage, PermanentSendError } from '../channels/channel';
import { emailHeaders, trackEmailHtml } from '../channels/email/email-tracking';
import { landingUrlOf } from '../links/landing-url';
import { SIGNED_LINKS, SignedLinks } from '../links/signed-links';
import { buildTemplateContext, defaultTemplate, renderEmail, renderPush, renderSms, TemplateSource } from '../templates';
import { CLOCK, Clock } from '../../common/clock';
import { MessageOffers } from '../offers/message-offer';
import type { StoredPolicyDecision } from '../planning/step-policy';
import { MessageComposer } from './message-composer';

interface ComposeRow {
  id: string;
  template: (TemplateSource & { channel: ChannelKind }) | null;
  template_key: string | null;
  key: string;
  channel: ChannelKind;
  step_index: number;
  cart: CartSnapshot | null;
  context: { page?: { url?: string } } | null;
  checkout_email: string | null;
  checkout_phone: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  locale: string | null;
  timezone: string | null;
  customer_id: string | null;
  brand: string;
  allowed_origins: string[];
  source_id: string;
  checkout_id: string;
  policy: StoredPolicyDecision | null;
}

/** Renders a planned message from its campaign step's template, the checkout's cart and signed links. */
@Injectable()
export class TemplateComposer implements MessageComposer {
  constructor(
    @Inject(SIGNED_LINKS) private readonly links: SignedLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly offers: MessageOffers,
  ) {}

  async compose(client: PoolClient, messageId: string): Promise<OutgoingMessage> {
    const { rows } = await client.query<ComposeRow>({
      name: 'compose_message',
      text: `SELECT m.id, m.key, m.channel, m.step_index, c.cart, c.context, c.email AS checkout_email, c.phone AS checkout_phone,
                    cu.email AS customer_email, cu.phone AS customer_phone, cu.locale, cu.timezone, m.customer_id,
                    s.name AS brand, s.allowed_origins, k.key AS template_key, c.source_id, m.checkout_id, m.decision -> 'policy' AS policy,
                    (SELECT row_to_json(t) FROM (SELECT key, channel, subject, html, text FROM templates WHERE key = k.key) t) AS template
               FROM messages m JOIN campaigns ca ON ca.id = m.campaign_id JOIN checkouts c ON c.id = m.checkout_id
               JOIN sources s ON s.id = c.source_id LEFT JOIN customers cu ON cu.id = m.customer_id,
                    -- The message's A/B/n variant may replace the step's template for its channel.
                    LATERAL (SELECT coalesce((SELECT v -> 'templates' ->> m.channel
                                                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ca.steps -> m.step_index -> 'variants') = 'array'
                                                                               THEN ca.steps -> m.step_index -> 'variants' ELSE '[]' END) v
                                               WHERE v ->> 'name' = m.variant),
                                              ca.steps -> m.step_index -> 'templates' ->> m.channel) AS key) k
              WHERE m.id = $1`,
      values: [messageId],
    });
    const row = rows[0];
    if (!row) throw new PermanentSendError(`message ${messageId} not found`, 'message_missing');
    const template = this.template(row);
    const offer = await this.offers.offerFor(client, {
      messageId: row.id,
      sourceId: row.source_id,
      checkoutId: row.checkout_id,
      customerId: row.customer_id,
      policy: row.policy,
      currency: row.cart?.currency ?? 'USD',
      locale: row.locale,
      now: this.clock.now(),
    });
    const context = buildTemplateContext({
      messageId: row.id,
      channel: row.channel,
      links: this.links,
      resumeUrl: landingUrlOf(this.links, { checkoutId: row.checkout_id, messageId: row.id, customerId: row.customer_id, cart: row.cart }, this.clock.now(), this.config.checkout.linkTtlHours),
      brandName: row.brand,
      cart: row.cart,
      customer: { email: row.checkout_email ?? row.customer_email },
      locale: row.locale,
      timezone: row.timezone,
      offer,
    });
    const base = { key: row.key, messageId: row.id };
    if (row.channel === 'email') {
      const email = row.checkout_email ?? row.customer_email;
      if (!email) throw new PermanentSendError('no email address any more', 'no_contact');
      const content = renderEmail(template, context);
      return {
        ...base,
        channel: 'email',
        to: { email },
        content: { ...content, html: trackEmailHtml(content.html, row.id, this.links), headers: emailHeaders(this.links, row.id) },
      } as OutgoingMessage<'email'>;
    }
    if (row.channel === 'sms') {
      const phone = row.checkout_phone ?? row.customer_phone;
      if (!phone) throw new PermanentSendError('no phone number any more', 'no_contact');
      return { ...base, channel: 'sms', to: { phone }, content: { body: renderSms(template, context).body } } as OutgoingMessage<'sms'>;
    }
    const subscription = await this.subscription(client, row.customer_id);
    const clickUrl = this.links.url({ action: 'push-click', messageId: row.id });
    const push = renderPush(template, context, { payload: (c) => ({ ...c, url: context.links.resume, clickUrl, messageId: row.id }) });
    return { ...base, channel: 'push', to: { subscription }, content: { title: push.title, body: push.body, url: context.links.resume, clickUrl } } as OutgoingMessage<'push'>;
  }

  /** The step's template for the channel; a stored one wins, a default one fills in. */
  private template(row: ComposeRow): TemplateSource {
    const key = row.template_key;
    if (!key) throw new PermanentSendError(`the campaign step has no ${row.channel} template`, 'no_template');
    const found = row.template ?? defaultTemplate(key);
    if (!found || found.channel !== row.channel) throw new PermanentSendError(`template "${key}" is missing or not a ${row.channel} template`, 'no_template');
    return found;
  }

  /** The newest live subscription of the customer. */
  private async subscription(client: PoolClient, customerId: string | null) {
    const { rows } = await client.query<{ endpoint: string; p256dh: string; auth: string }>(
      'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE customer_id = $1 AND revoked_at IS NULL ORDER BY subscribed_at DESC LIMIT 1',
      [customerId],
    );
    if (!rows[0]) throw new PermanentSendError('no live push subscription', 'no_contact');
    return { endpoint: rows[0].endpoint, keys: { p256dh: rows[0].p256dh, auth: rows[0].auth } };
  }
}
