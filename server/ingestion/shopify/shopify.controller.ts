import { Controller } from '@nestjs/common';

/** Shopify webhooks (being written). */
@Controller('v1/webhooks')
export class ShopifyController {}
