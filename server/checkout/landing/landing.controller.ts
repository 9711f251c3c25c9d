import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CLOCK, type Clock } from '../../common/clock';
import { SIGNED_LINKS, SignedLinks, type LandingClaims } from '../../recovery/links/signed-links';
import { CheckoutCompletionService } from '../completion/checkout-completion.service';
import { landingPage, messagePage } from './landing-page';
import { LandingService, type Landing } from './landing.service';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The checkout page a reminder links to (`/c/<signed token>`): the cart restored, changes shown, the code
 * applied, and — with a saved address and card — one click to pay. A changed or expired link gets a plain
 * page saying so.
 */
@Controller('c')
export class LandingController {
  constructor(
    @Inject(SIGNED_LINKS) private readonly links: SignedLinks,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly landing: LandingService,
    private readonly completion: CheckoutCompletionService,
  ) {}

  @Get(':token')
  async show(@Param('token') token: string, @Res() reply: FastifyReply) {
    const claims = this.verified(token, reply);
    if (!claims) return;
    return this.render(reply, 200, await this.landing.open(claims), token);
  }

  @Post(':token/complete')
  async complete(@Param('token') token: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    const claims = this.verified(token, reply);
    if (!claims) return;
    const opened = await this.landing.open(claims);
    if (opened.kind !== 'checkout') return this.render(reply, 200, opened, token);
    const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const expected = Number(form.expected_total);
    const key = typeof form.idempotency_key === 'string' && /^[0-9a-f-]{36}$/.test(form.idempotency_key) ? form.idempotency_key : undefined;
    if (!Number.isFinite(expected) || !key) return this.render(reply, 400, opened, token, { kind: 'err', text: 'The form was incomplete; please try again.' });
    const input = { expected_total: expected };
    const answer = await this.completion.complete(opened.details.session.sourceId, opened.details.session.publicId, input, key);
    if (answer.status === 200) {
      return this.html(reply, 200, messagePage('Thank you!', `Your order ${String(answer.body.order_id)} is confirmed. We have stopped the reminders about this cart.`, opened.storeUrl, opened.brand));
    }
    const fresh = await this.landing.open(claims);
    const text =
      answer.body.error === 'price_changed'
        ? 'Your cart changed while you were paying; nothing was charged. Please check the new total.'
        : answer.status === 202
          ? 'Your payment is being confirmed; you will not be charged twice. Reload this page in a minute.'
          : `Your payment did not go through: ${String(answer.body.message)}`;
    return this.render(reply, answer.status === 202 ? 202 : 409, fresh, token, { kind: answer.status === 202 ? 'note' : 'err', text });
  }

  private verified(token: string, reply: FastifyReply): LandingClaims | null {
    const verdict = this.links.verifyLanding(token, this.clock.now());
    if (verdict.ok) return verdict.claims;
    if (verdict.reason === 'expired') {
      this.html(reply, 410, messagePage('This link has expired', 'Links in our reminders stay valid for a limited time. Your cart may still be waiting at the store.', null));
    } else {
      this.html(reply, 400, messagePage('This link is not valid', 'The link may have been cut off or changed. Please use the link from the message exactly as we sent it.', null));
    }
    return null;
  }

  private render(reply: FastifyReply, status: number, landing: Landing, token: string, notice?: { kind: 'err' | 'note'; text: string }) {
    if (landing.kind === 'gone') {
      const [title, text] =
        landing.reason === 'completed'
          ? ['Your order is complete', 'This checkout has already been paid. Thank you!']
          : landing.reason === 'empty'
            ? ['Your cart is empty', 'There is nothing left in this cart.']
            : ['This link is not valid', 'This link does not belong to this checkout.'];
      return this.html(reply, landing.reason === 'not_yours' ? 404 : status, messagePage(title, text, landing.storeUrl, landing.brand));
    }
    return this.html(reply, status, landingPage(landing, token, crypto.randomUUID(), notice));
  }

  private html(reply: FastifyReply, status: number, html: string) {
    return reply.status(status).header('Cache-Control', 'no-store').header('Content-Security-Policy', CSP).header('Referrer-Policy', 'no-referrer').type('text/html; charset=utf-8').send(html);
  }
}
