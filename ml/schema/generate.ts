/**
 * Writes the JSON Schema files of ml/schema/ from the zod schemas the CLI validates with:
 *
 *   npm run ml:schemas
 *
 * Run it after changing `examples.ts`, and commit the result (schema.spec.ts fails until you do).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMAS, jsonSchemaOf } from './examples';

export function schemaFileText(file: keyof typeof JSON_SCHEMAS): string {
  return `${JSON.stringify(jsonSchemaOf(file), null, 2)}\n`;
}

if (require.main === module) {
  for (const file of Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[]) {
    writeFileSync(join(__dirname, file), schemaFileText(file));
    console.log(`wrote ml/schema/${file}`);
  }
}
