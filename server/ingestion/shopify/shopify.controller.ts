import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, Clock } from '../../common/clock';
import { readableBody } from '../readable-body';
import { IngestGateway } from '../ingest-gateway';
import { IngestResult, IngestService } from '../ingest.service';
import { IngestProblem, IngestRejected } from '../problems';
import { verifyShopifyHmac } from './shopify-hmac';
import { isShopifyTopic, parseShopifyWebhook } from './shopify-mapper';

export interface ShopifyWebhookResult extends IngestResult {
  /** 1 when the topic is not one we read: acknowledged so Shopify keeps the subscription, and not stored. */
  ignored: number;
}

const HMAC_HEADER = 'x-shopify-hmac-sha256';
const MAX_WEBHOOK_ID_LENGTH = 200;

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

/**
 * `POST /v1/webhooks/shopify?writeKey=…`: Shopify webhooks (`checkouts/create`, `checkouts/update`, `orders/create`).
 * Shopify cannot send our Authorization header, so the write key rides in the address; the request is then proved
 * to come from Shopify by `X-Shopify-Hmac-Sha256` over the raw body, with the source's Shopify secret.
 */
@Controller('v1/webhooks')
export class ShopifyController {
  constructor(
    private readonly gateway: IngestGateway,
    private readonly ingestService: IngestService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('shopify')
  @HttpCode(200)
  async shopify(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<ShopifyWebhookResult> {
    const source = await this.gateway.admit(request, reply, body);
    if (!source.shopifySecret) {
      this.unauthorized('', 'this source has no Shopify secret; set the app\'s API secret on the source to receive Shopify webhooks');
    }
    const signature = headerOf(request, HMAC_HEADER);
    if (!verifyShopifyHmac(request.rawBody ?? Buffer.alloc(0), signature, source.shopifySecret)) {
      this.unauthorized(
        `headers.${HMAC_HEADER}`,
        signature === undefined
          ? 'missing X-Shopify-Hmac-Sha256 header'
          : 'X-Shopify-Hmac-Sha256 does not match the body signed with this source\'s Shopify secret',
      );
    }

    const topic = headerOf(request, 'x-shopify-topic');
    const webhookId = headerOf(request, 'x-shopify-webhook-id');
    const problems: IngestProblem[] = [];
    if (topic === undefined) problems.push({ index: null, path: 'headers.x-shopify-topic', message: 'is required: the webhook topic, such as "checkouts/update"' });
    if (webhookId === undefined) {
      problems.push({ index: null, path: 'headers.x-shopify-webhook-id', message: 'is required: the webhook delivery id' });
    } else if (webhookId.length > MAX_WEBHOOK_ID_LENGTH) {
      problems.push({ index: null, path: 'headers.x-shopify-webhook-id', message: `must be at most ${MAX_WEBHOOK_ID_LENGTH} characters` });
    }
    if (problems.length > 0) throw new IngestRejected(400, problems);

    // Topics we do not read are acknowledged whatever their body: a failing webhook is eventually disabled by Shopify.
    if (!isShopifyTopic(topic!)) return { accepted: 0, duplicates: 0, ignored: 1 };
    const event = parseShopifyWebhook(topic!, webhookId!, readableBody(body), () => this.clock.now().getTime());
    if (event === null) return { accepted: 0, duplicates: 0, ignored: 1 };
    const result = await this.ingestService.ingest(source.id, [event]);
    return { accepted: result.accepted, duplicates: result.duplicates, ignored: 0 };
  }

  private unauthorized(path: string, message: string): never {
    throw new IngestRejected(401, [{ index: null, path, message }]);
  }
}
