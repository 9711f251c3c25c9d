import { Controller, ForbiddenException, HttpCode, Inject, NotFoundException, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { readForm, SIGNATURE_HEADER, signedUrl, TwilioParams, verifyTwilioSignature } from './twilio-signature';
import { TwilioWebhooksService } from './twilio-webhooks.service';

/**
 * Twilio's webhooks, configured in Twilio as `${PUBLIC_URL}/v1/webhooks/twilio/inbound` (the number's or Messaging
 * Service's "A message comes in") and sent by us as each message's status callback (`…/status`).
 *
 * Twilio posts `application/x-www-form-urlencoded`, which the app's body parsers leave unread: the form is read here
 * from `request.rawBody`. Every request must carry a valid `X-Twilio-Signature` over `PUBLIC_URL` + path + query,
 * so `PUBLIC_URL` must be the public address Twilio calls; anything else is refused with 403 before it is read.
 *
 * Twilio's own keyword handling (default opt-out handling, Advanced Opt-Out) may answer STOP/START/HELP itself and
 * refuses messages to a number that sent STOP; the webhook still arrives and we record the opt-out all the same.
 * Check the account's settings so that the shopper gets one confirmation, not Twilio's and ours.
 */
@Controller('v1/webhooks/twilio')
export class TwilioWebhooksController {
  constructor(
    private readonly webhooks: TwilioWebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('inbound')
  @HttpCode(200)
  async inbound(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const params = this.verified(request);
    const body = await this.webhooks.inbound(params);
    void reply.header('content-type', 'text/xml; charset=utf-8');
    return body;
  }

  @Post('status')
  @HttpCode(204)
  async status(@Req() request: FastifyRequest): Promise<void> {
    await this.webhooks.status(this.verified(request));
  }

  private verified(request: FastifyRequest): TwilioParams {
    const authToken = this.config.twilio?.authToken;
    if (!authToken) throw new NotFoundException({ error: 'not_found', message: 'the SMS channel is not configured (TWILIO_* variables)' });
    const header = request.headers[SIGNATURE_HEADER];
    const signature = Array.isArray(header) ? header[0] : header;
    const params = readForm(request.rawBody);
    if (!verifyTwilioSignature(authToken, signature, signedUrl(this.config.publicUrl, request.url), params)) {
      throw new ForbiddenException({
        error: 'forbidden',
        message:
          signature === undefined
            ? 'missing X-Twilio-Signature header'
            : 'X-Twilio-Signature does not match this request signed with the account auth token (is PUBLIC_URL the address Twilio calls?)',
      });
    }
    return params;
  }
}
