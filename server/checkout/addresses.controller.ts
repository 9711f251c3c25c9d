import { BadRequestException, Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { type AddressProblem, describeProblem, type PostalAddress } from './addresses/address';
import { validateAddress } from './addresses/normalise-address';

export type AddressCheck = { valid: true; address: PostalAddress } | { valid: false; problems: AddressProblem[]; message: string };

/**
 * `POST /v1/addresses/validate`, for the storefront's checkout before payment, with the source's write key:
 * the address normalised (postal code format, region code, casing, street abbreviations), or every problem
 * named by its field. An invalid address is an answer (200, `valid: false`); a body that is not an address
 * object at all is a 400.
 */
@Controller('v1/addresses')
export class AddressesController {
  constructor(private readonly gateway: IngestGateway) {}

  @Post('validate')
  @HttpCode(200)
  async validate(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<AddressCheck> {
    await this.gateway.admit(request, reply, body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException({ error: 'invalid_request', message: 'the body must be a JSON object: the address', problems: [{ path: '', message: 'must be a JSON object' }] });
    }
    const result = validateAddress(body);
    if (result.ok) return { valid: true, address: result.address };
    return { valid: false, problems: result.problems, message: result.problems.map(describeProblem).join('; ') };
  }
}
