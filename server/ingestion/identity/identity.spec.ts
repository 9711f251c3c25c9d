import { describe, expect, it } from 'vitest';
import { normalizedEvent } from '../testing/event-factory';
import { resolveCheckouts } from './checkout-identity';
import { resolveCustomers } from './customer-identity';
import { AliasOwners } from './owners';

function ids() {
  let n = 0;
  return () => `new-${++n}`;
}

describe('checkout identity', () => {
  it('links events that share any identifier into one new checkout', () => {
    const events = [
      normalizedEvent({ refs: { orderId: 'o-1' } }),
      normalizedEvent({ refs: { checkoutId: 'co-1', orderId: 'o-1' } }),
      normalizedEvent({ refs: { checkoutId: 'co-1' } }),
    ];
    const result = resolveCheckouts(events, new AliasOwners(), ids());
    expect(new Set(result.checkoutOf.values())).toEqual(new Set(['new-1']));
    expect(result.owners.finalClaims().map((c) => `${c.kind}:${c.value}`).sort()).toEqual(['checkout:co-1', 'order:o-1']);
  });

  it('merges two stored checkouts an event proves to be one, into the one its checkout id names', () => {
    const owners = new AliasOwners();
    owners.load('order', 'o-1', 'stored-a');
    owners.load('checkout', 'co-1', 'stored-b');
    const result = resolveCheckouts([normalizedEvent({ refs: { checkoutId: 'co-1', orderId: 'o-1' } })], owners, ids());
    expect(result.owners.merges).toEqual([{ from: 'stored-a', into: 'stored-b' }]);
    expect([...result.checkoutOf.values()]).toEqual(['stored-b']);
    expect(result.created.size).toBe(0);
  });

  it('ignores events without checkout identifiers', () => {
    const result = resolveCheckouts([normalizedEvent({ refs: {} })], new AliasOwners(), ids());
    expect(result.checkoutOf.size).toBe(0);
  });
});

describe('customer identity', () => {
  it('gives an anonymous visitor who identifies the same profile, with their user id', () => {
    const owners = new AliasOwners();
    owners.load('anonymous', 'anon-1', 'stored-anon');
    const e = normalizedEvent({ customer: { anonymousId: 'anon-1', userId: 'user-9' } });
    const result = resolveCustomers([e], owners, new Map(), ids());
    expect(result.customerOf.get(e.key)).toBe('stored-anon');
    expect(result.userIdOf.get('stored-anon')).toBe('user-9');
    expect(result.owners.finalClaims()).toEqual([{ kind: 'user', value: 'user-9', ownerId: 'stored-anon' }]);
  });

  it('merges an anonymous profile into the known customer it turns out to be', () => {
    const owners = new AliasOwners();
    owners.load('anonymous', 'anon-1', 'stored-anon');
    owners.load('user', 'user-9', 'stored-user');
    const e = normalizedEvent({ customer: { anonymousId: 'anon-1', userId: 'user-9' } });
    const result = resolveCustomers([e], owners, new Map([['stored-user', 'user-9']]), ids());
    expect(result.owners.merges).toEqual([{ from: 'stored-anon', into: 'stored-user' }]);
    expect(result.customerOf.get(e.key)).toBe('stored-user');
  });

  it('never merges two customers with different user ids, even when they share an email', () => {
    const owners = new AliasOwners();
    owners.load('email', 'shared@example.com', 'stored-u1');
    owners.load('user', 'u1', 'stored-u1');
    const e = normalizedEvent({ customer: { userId: 'u2', email: 'shared@example.com' } });
    const result = resolveCustomers([e], owners, new Map([['stored-u1', 'u1']]), ids());
    expect(result.owners.merges).toEqual([]);
    expect(result.customerOf.get(e.key)).toBe('new-1');
    expect(result.owners.finalClaims()).toEqual([{ kind: 'user', value: 'u2', ownerId: 'new-1' }]);
  });

  it('joins a guest who only gave an email to the identified customer with that email', () => {
    const owners = new AliasOwners();
    owners.load('email', 'ann@example.com', 'stored-ann');
    const e = normalizedEvent({ customer: { anonymousId: 'anon-7', email: 'ann@example.com' } });
    const result = resolveCustomers([e], owners, new Map([['stored-ann', 'ann']]), ids());
    expect(result.customerOf.get(e.key)).toBe('stored-ann');
    expect(result.owners.finalClaims()).toEqual([{ kind: 'anonymous', value: 'anon-7', ownerId: 'stored-ann' }]);
  });

  it('follows merges made earlier in the same batch', () => {
    const first = normalizedEvent({ at: '2026-11-26T10:00:00Z', customer: { anonymousId: 'anon-1' } });
    const second = normalizedEvent({ at: '2026-11-26T10:01:00Z', customer: { email: 'x@example.com' } });
    const third = normalizedEvent({ at: '2026-11-26T10:02:00Z', customer: { anonymousId: 'anon-1', email: 'x@example.com' } });
    const result = resolveCustomers([first, second, third], new AliasOwners(), new Map(), ids());
    const survivors = new Set(result.customerOf.values());
    expect(survivors.size).toBe(1);
    expect(result.owners.merges).toEqual([{ from: 'new-2', into: 'new-1' }]);
  });
});
