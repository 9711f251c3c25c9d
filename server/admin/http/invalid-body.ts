import { BadRequestException } from '@nestjs/common';
import type { ZodError } from 'zod';

/** A 400 naming every problem of a body by its field path, the shape react-admin forms show inline. */
export function invalidBody(error: ZodError): BadRequestException {
  const problems = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  return new BadRequestException({
    error: 'invalid_request',
    message: problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
    problems,
    // react-admin's server-side validation: { errors: { field: message } } shows each message under its input.
    errors: Object.fromEntries(problems.filter((p) => p.path).map((p) => [p.path, p.message])),
  });
}
