import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMAS } from './examples';
import { schemaFileText } from './generate';

describe('the committed JSON Schema files', () => {
  it.each(Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[])('%s is what the zod schema generates (regenerate: npm run ml:schemas)', (file) => {
    expect(readFileSync(join(__dirname, file), 'utf8')).toBe(schemaFileText(file));
  });
});
