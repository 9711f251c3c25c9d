/**
 * Files of the offline policy commands (`ml:train --examples`, `ml:decide`): reading the examples, the
 * economics and a model directory with every problem named (file, line, field), and writing a model
 * directory all at once, so that a failed run leaves nothing behind.
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { type CollectedExamples, ExampleCollector, InputError, numberedLines } from '../../ml/examples-io';
import type { SerializedModel } from '../../ml/model';
import type { Economics } from '../../ml/plan-search';
import { economicsSchema } from '../../ml/schema/examples';
import { describeIssues } from '../../ml/schema/problems';
import { CliUsageError } from './cli-support';

export const MODEL_FILE = 'model.json';
export const ECONOMICS_FILE = 'economics.json';
export const VERDICT_FILE = 'verdict.json';

/** A string flag the command cannot do without. */
export function requiredFlag(values: Record<string, unknown>, name: string, usage: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new CliUsageError(`--${name} is required: ${usage}`);
  return value;
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** A JSON file checked against a schema; problems are named `file: field: what is wrong`. */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, flag: string): T {
  const text = readText(file, flag);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${flag}: ${file}: not valid JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new CliUsageError(describeIssues(result.error.issues, value).map((p) => `${flag}: ${file}: ${p}`).join('\n'));
  return result.data;
}

export function readEconomics(file: string, flag = '--economics'): Economics {
  return readJsonFile(file, economicsSchema, flag);
}

/** Bad input as the CLI prints it: a header naming the file, then one problem per line. */
export function inputProblems(source: string, error: InputError, max?: number): CliUsageError {
  const more = max !== undefined && error.problems.length >= max ? `\n(stopped after ${max} problems)` : '';
  return new CliUsageError(`Invalid input in ${source}; nothing was trained or written:\n${error.problems.join('\n')}${more}`);
}

const MAX_PROBLEMS = 20;

/** Every line of a JSON Lines file of logged decisions, as training examples; all problems (up to 20) at once. */
export async function readExamplesFile(file: string, flag = '--examples'): Promise<CollectedExamples> {
  if (!existsSync(file)) throw new CliUsageError(`${flag}: cannot read ${file}: no such file`);
  if (!statSync(file).isFile()) throw new CliUsageError(`${flag}: ${file} is not a file`);
  const collector = new ExampleCollector(MAX_PROBLEMS);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const { line, text } of numberedLines(lines)) {
      collector.addText(text, line);
      if (collector.full) break;
    }
  } finally {
    lines.close();
  }
  try {
    return collector.finish();
  } catch (error) {
    if (error instanceof InputError) throw inputProblems(file, error, MAX_PROBLEMS);
    throw error;
  }
}

/** A model directory's serialized model, checked enough to be worth loading (the loader refuses another feature schema). */
export function readSerializedModel(dir: string, flag: string): SerializedModel {
  const file = join(dir, MODEL_FILE);
  if (!existsSync(file)) throw new CliUsageError(`${flag}: ${dir} has no ${MODEL_FILE} (a directory written by ml:train --out)`);
  let model: Partial<SerializedModel>;
  try {
    model = JSON.parse(readText(file, flag));
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`${flag}: ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (model?.format !== 'recovery-wide-deep' || !Array.isArray(model.weights) || !Array.isArray(model.hidden) || !model.normalisation) {
    throw new CliUsageError(`${flag}: ${file} is not a serialized recovery model (format "recovery-wide-deep")`);
  }
  return model as SerializedModel;
}

/** Refuses an --out that would mix a new model with old files. */
export function checkOutDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory() || readdirSync(dir).length > 0) throw new CliUsageError(`--out: ${dir} already exists and is not an empty directory; choose a new one`);
}

/** Writes the files into a sibling temporary directory, then renames it into place: DIR appears whole or not at all. */
export function writeDirAtomically(dir: string, files: Record<string, string>): void {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(temporary, name), text);
    checkOutDir(target); // nothing appeared there while we trained
    if (existsSync(target)) rmdirSync(target); // empty (checked): rename cannot replace a directory everywhere
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}
