/**
 * zod's issues in the words the CLI prints: `field: what is wrong`, the field a dotted path into the line
 * (`ctx.engagement.sms.sent`, `candidates[2].channel`) so that a merchant can find it in a 1 KB line.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
};

function bound(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const limit = 'minimum' in issue ? issue.minimum : issue.maximum;
  if (issue.origin === 'array') return issue.code === 'too_small' ? `must have at least ${limit} item${Number(limit) === 1 ? '' : 's'}` : `must have at most ${limit} items`;
  if (issue.origin === 'string') return issue.code === 'too_small' ? 'must not be empty' : `must be at most ${limit} characters`;
  if (issue.code === 'too_small') return issue.inclusive ? `must be at least ${limit}` : `must be greater than ${limit}`;
  return issue.inclusive ? `must be at most ${limit}` : `must be less than ${limit}`;
}

function message(issue: Issue, value: unknown): string {
  // A missing field, whatever it should have been (zod says "expected a number", or lists an enum's values).
  if (issue.code !== 'custom' && issue.path.length > 0 && valueAt(value, issue.path) === undefined) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'datetime' ? 'must be an ISO 8601 date-time with an offset, such as 2026-03-01T10:00:00Z' : `must be a ${issue.format}`;
    case 'invalid_union':
      return 'must be a non-empty string or a number';
    default:
      return issue.message;
  }
}

/** One `field: problem` per issue (an unknown field is named itself); a problem of the whole line has no field. */
export function describeIssues(issues: readonly Issue[], value: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field`);
    const field = formatPath(issue.path);
    return [field ? `${field}: ${message(issue, value)}` : message(issue, value)];
  });
}
