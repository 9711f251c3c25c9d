/** A mistake in how the command was called: printed without a stack trace, exit code 2. */
export class CliUsageError extends Error {}

export type Output = (line: string) => void;
