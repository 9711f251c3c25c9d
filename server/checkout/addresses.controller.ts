import { BadRequestException, Body, Controller, Get, HttpCode, HttpException, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SourceRateLimit } from '../common/source-rate-limit';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { IngestRejected } from '../ingestion/problems';
import { readableBody } from '../ingestion/readable-body';
import { AddressAutocompleteService } from './addresses/address-autocomplete.service';
import { AddressCheck, AddressCheckService } from './addresses/address-check.service';
import { AddressProviderUnavailable, AddressSuggestion } from './addresses/address-provider';
import { parseAutocompleteQuery } from './addresses/autocomplete-query';

/**
 * Address routes for the storefront's checkout, with the source's write key (browser-callable like ingestion).
 *
 * `POST /v1/addresses/validate`: the address normalised (postal code format, region code, casing, street
 * abbreviations), or every problem named by its field; then, when a provider is configured, whether the
 * address exists (`verified`, `existence`). An invalid address is an answer (200, `valid: false`); a body
 * that is not an address object at all is a 400.
 *
 * `GET /v1/addresses/autocomplete?q=&country=&limit=`: suggestions as the customer types; 501 without a
 * provider, 503 when the provider cannot answer.
 */
@Controller('v1/addresses')
export class AddressesController {
  constructor(
    private readonly gateway: IngestGateway,
    private readonly checks: AddressCheckService,
    private readonly autocompletion: AddressAutocompleteService,
    private readonly rateLimit: SourceRateLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('validate')
  @HttpCode(200)
  async validate(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<AddressCheck> {
    await this.gateway.admit(request, reply, body);
    const address = readableBody(body);
    if (typeof address !== 'object' || address === null || Array.isArray(address)) {
      throw new BadRequestException({ error: 'invalid_request', message: 'the body must be a JSON object: the address', problems: [{ path: '', message: 'must be a JSON object' }] });
    }
    return this.checks.check(address);
  }

  @Get('autocomplete')
  async autocomplete(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ suggestions: AddressSuggestion[] }> {
    const source = await this.gateway.admit(request, reply, undefined);
    const rate = await this.rateLimit.take(source.id, new Date(), { max: this.config.addresses.autocompletePerMinute, windowSeconds: 60 }, 'addresses:autocomplete');
    if (!rate.allowed) {
      void reply.header('Retry-After', String(rate.retryAfterSeconds));
      throw new HttpException({ error: 'too_many_requests', message: `too many address suggestions for this source; retry in ${rate.retryAfterSeconds} s` }, 429);
    }
    const parsed = parseAutocompleteQuery((request.query ?? {}) as Record<string, unknown>);
    if (!parsed.ok) throw new IngestRejected(400, parsed.problems.map((p) => ({ index: null, path: p.parameter, message: p.message })));
    if (!this.autocompletion.enabled) {
      throw new HttpException(
        { error: 'not_implemented', message: 'address autocomplete needs an address provider: set ADDRESS_PROVIDER=mapbox and MAPBOX_ACCESS_TOKEN' },
        501,
      );
    }
    // Geocoders' terms (Mapbox's among them) forbid keeping their temporary results, browsers included.
    void reply.header('Cache-Control', 'no-store');
    try {
      return { suggestions: await this.autocompletion.suggest(parsed.query) };
    } catch (error) {
      if (!(error instanceof AddressProviderUnavailable)) throw error;
      void reply.header('Retry-After', '5');
      throw new HttpException(
        { error: 'unavailable', message: `address suggestions are unavailable for now (the address provider ${describe(error)}); the customer can type the address in full` },
        503,
      );
    }
  }
}

function describe(error: AddressProviderUnavailable): string {
  const reasons: Record<AddressProviderUnavailable['reason'], string> = {
    timeout: 'did not answer in time',
    unreachable: 'could not be reached',
    unauthorized: 'refused our credentials',
    rate_limited: 'is rate limiting us',
    provider_error: 'failed',
    bad_response: 'answered something unreadable',
  };
  return reasons[error.reason];
}
