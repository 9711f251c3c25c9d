import { UnreadableBody } from '../http/body-parsing';
import { IngestRejected } from './problems';

/** The parsed body, or a 400 (413, 415) saying why it could not be read (checked after the caller is authenticated). */
export function readableBody(body: unknown): unknown {
  if (body instanceof UnreadableBody) throw new IngestRejected(body.status, [{ index: null, path: '', message: body.message }]);
  if (body === undefined) throw new IngestRejected(400, [{ index: null, path: '', message: 'body is empty; expected JSON' }]);
  return body;
}
