import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the payment peers share: scripted network faults, a fixed answer latency, an idempotency store, and
 * request plumbing. Each peer names its own operations ("create", "confirm", "payments", "captures", ...).
 */

/**
 * - `reset_before`: the connection is dropped before the request is processed (nothing happened);
 * - `error_500_before` / `error_503_before`: answered 5xx without processing;
 * - `timeout_after`: processed (a charge may have happened), then no answer until the client gives up;
 * - `error_500_after`: processed, then answered 500 (the result is stored: an idempotent replay returns it).
 */
export type PeerFault = 'reset_before' | 'error_500_before' | 'error_503_before' | 'timeout_after' | 'error_500_after';

export const PEER_FAULTS: readonly PeerFault[] = ['reset_before', 'error_500_before', 'error_503_before', 'timeout_after', 'error_500_after'];

export function faultIsBeforeProcessing(fault: PeerFault): boolean {
  return fault.endsWith('_before');
}

interface ScriptedFault {
  fault: PeerFault;
  operation?: string;
  remaining: number;
}

/** Faults for the next calls, in order; each applies to `times` calls of its operation (any operation if unset). */
export class FaultScript {
  private readonly queue: ScriptedFault[] = [];

  add(fault: PeerFault, options: { operation?: string; times?: number } = {}): void {
    this.queue.push({ fault, operation: options.operation, remaining: options.times ?? 1 });
  }

  take(operation: string): PeerFault | undefined {
    const index = this.queue.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (index < 0) return undefined;
    const scripted = this.queue[index];
    if (--scripted.remaining <= 0) this.queue.splice(index, 1);
    return scripted.fault;
  }

  clear(): void {
    this.queue.length = 0;
  }

  get pending(): number {
    return this.queue.length;
  }
}

export interface StoredAnswer {
  status: number;
  body: unknown;
}

type IdempotencyEntry = { state: 'in_flight'; fingerprint: string } | { state: 'done'; fingerprint: string; answer: StoredAnswer };

/** Answers kept by idempotency key: what a replay gets, and whether the first request is still running. */
export class IdempotencyStore {
  private readonly entries = new Map<string, IdempotencyEntry>();

  lookup(key: string): IdempotencyEntry | undefined {
    return this.entries.get(key);
  }

  begin(key: string, fingerprint: string): void {
    this.entries.set(key, { state: 'in_flight', fingerprint });
  }

  finish(key: string, fingerprint: string, answer: StoredAnswer): void {
    this.entries.set(key, { state: 'done', fingerprint, answer });
  }

  /** Nothing was processed: the key is free again, as if never sent. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/** Drops the connection without an answer (what a reset looks like to the client). */
export function resetConnection(request: IncomingMessage): void {
  request.socket.destroy();
}

/** Never answers; resolves once the client has given up and closed the connection. */
export function hangUntilClientGivesUp(request: IncomingMessage, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (request.socket.destroyed) return resolve();
    response.once('close', () => resolve());
  });
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export function randomId(prefix: string, bytes = 12): string {
  return prefix + randomBytes(bytes).toString('hex');
}

export function lowerHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Every API request a peer saw, refused and faulted ones included. */
export interface PeerRequest {
  method: string;
  path: string;
  operation: string;
  idempotencyKey: string | null;
  status: number;
  /** Answered from the idempotency store. */
  replayed: boolean;
  fault?: PeerFault;
}
