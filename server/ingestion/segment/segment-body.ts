import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { UnreadableBody } from '../../http/body-parsing';
import { MAX_DECODED_BODY_BYTES } from '../limits';

/**
 * Content types Segment-compatible senders put on JSON: analytics-node sends application/json; RudderStack's Node
 * SDK posts a gzip Buffer through axios, which labels it application/x-www-form-urlencoded; webhook destinations
 * and curl users send text/plain, octet-stream or nothing.
 */
const JSON_CARRYING_TYPES = new Set(['', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']);

const DECODERS: Record<string, (input: Buffer, maxOutputLength: number) => Buffer> = {
  gzip: (input, maxOutputLength) => gunzipSync(input, { maxOutputLength }),
  'x-gzip': (input, maxOutputLength) => gunzipSync(input, { maxOutputLength }),
  // HTTP's "deflate" is the zlib format, but some senders send a raw deflate stream; take both.
  deflate: (input, maxOutputLength) => {
    try {
      return inflateSync(input, { maxOutputLength });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') return inflateRawSync(input, { maxOutputLength });
      throw error;
    }
  },
  br: (input, maxOutputLength) => brotliDecompressSync(input, { maxOutputLength }),
};

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** `Content-Encoding` as the list of codings applied, in order (identity left out). */
function contentCodings(request: FastifyRequest): string[] {
  const header = request.headers['content-encoding'];
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * The body of a Segment-compatible route (`readBody` route config): decoded (gzip, deflate, br; at most
 * MAX_DECODED_BODY_BYTES once decoded, so a compression bomb is refused) and read as JSON under any content type
 * those senders use. Returns UnreadableBody instead of throwing, so the write key is still checked first.
 */
export function readSegmentBody(request: FastifyRequest, raw: Buffer): unknown {
  const type = mediaType(request);
  if (!JSON_CARRYING_TYPES.has(type) && !/^application\/[\w.+-]+\+json$/.test(type)) {
    return new UnreadableBody(`Content-Type "${type}" is not accepted; send application/json`, 415);
  }
  let body = raw;
  for (const coding of contentCodings(request).reverse()) {
    const decode = DECODERS[coding];
    if (!decode) return new UnreadableBody(`Content-Encoding "${coding}" is not accepted; send gzip, deflate, br or an uncompressed body`, 415);
    try {
      body = decode(body, MAX_DECODED_BODY_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return new UnreadableBody(`request body is larger than ${MAX_DECODED_BODY_BYTES / 1024} KB once ${coding}-decoded`, 413);
      }
      return new UnreadableBody(`body is not valid ${coding} data (Content-Encoding: ${coding}): ${(error as Error).message}`);
    }
  }
  const decoded = body === raw ? '' : ` (after ${contentCodings(request).join(', ')} decoding)`;
  if (body.length === 0) return new UnreadableBody(`body is empty${decoded}; expected JSON`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    return new UnreadableBody(`malformed JSON${decoded}: ${(error as Error).message}`);
  }
}
