import { Controller, Get, Header, HttpCode, Inject, NotFoundException, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CHANNELS, type ChannelKind } from '../../../campaigns/types';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SIGNED_LINKS, SignedLinks } from '../links/signed-links';
import { EngagementService } from './engagement.service';
import { page } from './pages';

// The smallest transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The links inside recovery messages: open pixel, tracked clicks, the push click report, and one-click
 * unsubscribe (RFC 8058: the POST needs no cookie or login). Every link is signed; a changed one is refused.
 */
@Controller('r')
export class EngagementController {
  constructor(
    @Inject(SIGNED_LINKS) private readonly links: SignedLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engagement: EngagementService,
  ) {}

  @Get('open/:token')
  @Header('Content-Type', 'image/gif')
  @Header('Cache-Control', 'no-store, max-age=0')
  async open(@Param('token') token: string): Promise<Buffer> {
    const claims = this.links.verify('open', token);
    if (claims) await this.engagement.record(claims.messageId, 'opened');
    return PIXEL;
  }

  @Get('click/:token')
  async click(@Param('token') token: string, @Res() reply: FastifyReply) {
    const claims = this.links.verify('click', token);
    if (!claims?.target || !/^https?:\/\//i.test(claims.target)) return this.invalid(reply);
    await this.engagement.record(claims.messageId, 'clicked', { target: claims.target });
    return reply.header('Cache-Control', 'no-store').redirect(claims.target, 302);
  }

  /** The short links in text messages: the target is the message's own resume address. */
  @Get('s/:token')
  async shortClick(@Param('token') token: string, @Res() reply: FastifyReply) {
    const messageId = this.links.verifyShort(token);
    const target = messageId ? await this.engagement.resumeUrl(messageId, this.links, this.config.checkout.linkTtlHours) : null;
    if (!messageId || !target) return this.invalid(reply);
    await this.engagement.record(messageId, 'clicked', { target, via: 'sms' });
    return reply.header('Cache-Control', 'no-store').redirect(target, 302);
  }

  /** Reported by the push service worker when a notification is clicked. */
  @Post('push-click/:token')
  @HttpCode(204)
  async pushClick(@Param('token') token: string) {
    const claims = this.links.verify('push-click', token);
    // The service worker ignores the body; whoever else calls learns why.
    if (!claims) throw new NotFoundException({ error: 'not_found', message: 'this push link is not valid: it was changed or cut short' });
    await this.engagement.record(claims.messageId, 'clicked', { via: 'push' });
  }

  /** Shows a confirmation button: mail scanners follow GET links, so GET alone never unsubscribes. */
  @Get('unsubscribe/:token')
  async unsubscribePage(@Param('token') token: string, @Res() reply: FastifyReply) {
    const claims = this.links.verify('unsubscribe', token);
    const channel = channelOf(claims?.channel);
    if (!claims || !channel) return this.invalid(reply);
    return reply
      .type('text/html; charset=utf-8')
      .send(page('Unsubscribe', `<p>Stop receiving ${label(channel)} reminders about carts you leave behind?</p><form method="post"><button type="submit">Unsubscribe</button></form>`));
  }

  @Post('unsubscribe/:token')
  async unsubscribe(@Param('token') token: string, @Res() reply: FastifyReply) {
    const claims = this.links.verify('unsubscribe', token);
    const channel = channelOf(claims?.channel);
    if (!claims || !channel) return this.invalid(reply);
    await this.engagement.unsubscribe(claims.messageId, channel);
    return reply
      .status(200)
      .type('text/html; charset=utf-8').send(page('Unsubscribed', `<p>You will not get ${label(channel)} reminders from us any more.</p>`));
  }

  private invalid(reply: FastifyReply) {
    return reply
      .status(400)
      .type('text/html; charset=utf-8')
      .send(page('Link not valid', '<p>This link is not valid. It may have been changed or cut short; please use the link from the message itself.</p>'));
  }
}

function channelOf(value: string | undefined): ChannelKind | undefined {
  return CHANNELS.find((c) => c === value);
}

function label(channel: ChannelKind): string {
  return { email: 'email', sms: 'text message', push: 'push notification' }[channel];
}
