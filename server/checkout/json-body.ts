import { UnreadableBody } from '../http/body-parsing';
import { invalidRequest } from '../http/resource-http';

/** The JSON body, `{}` when none was sent and `optional`, or a 400 saying why it could not be read. */
export function jsonBody(body: unknown, optional = false): unknown {
  if (body instanceof UnreadableBody) throw invalidRequest([{ path: '', message: body.message }]);
  if (body === undefined || body === null) {
    if (optional) return {};
    throw invalidRequest([{ path: '', message: 'body is empty; expected a JSON object' }]);
  }
  return body;
}
