/** One thing wrong with a request: which item (`index`, null for the request itself), where in it, and what. */
export interface IngestProblem {
  index: number | null;
  path: string;
  message: string;
}

/** A request refused as a whole; nothing of it is stored. */
export class IngestRejected extends Error {
  constructor(
    readonly status: 400 | 401 | 413 | 415,
    readonly problems: IngestProblem[],
    readonly error = status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request',
  ) {
    super(problems.map((p) => `${p.index === null ? '' : `[${p.index}] `}${p.path}: ${p.message}`).join('; '));
    this.name = 'IngestRejected';
  }

  toBody() {
    return { error: this.error, message: this.message, problems: this.problems };
  }
}

export function joinPath(segments: ReadonlyArray<PropertyKey>): string {
  return segments
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}
