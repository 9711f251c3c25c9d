/**
 * Aliases (kind + value) and the record each leads to, with records merged into others followed to
 * the survivor. Used for both checkouts and customers while a batch is being resolved.
 */
export class AliasOwners {
  private readonly owners = new Map<string, string>();
  private readonly mergedInto = new Map<string, string>();
  readonly claims: Array<{ kind: string; value: string; ownerId: string }> = [];
  readonly merges: Array<{ from: string; into: string }> = [];

  static key(kind: string, value: string): string {
    return `${kind}\u0000${value}`;
  }

  load(kind: string, value: string, ownerId: string) {
    this.owners.set(AliasOwners.key(kind, value), ownerId);
  }

  ownerOf(kind: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const owner = this.owners.get(AliasOwners.key(kind, value));
    return owner === undefined ? undefined : this.survivor(owner);
  }

  claim(kind: string, value: string | undefined, ownerId: string) {
    if (value === undefined || this.owners.has(AliasOwners.key(kind, value))) return;
    this.owners.set(AliasOwners.key(kind, value), ownerId);
    this.claims.push({ kind, value, ownerId });
  }

  merge(from: string, into: string) {
    const a = this.survivor(from);
    const b = this.survivor(into);
    if (a === b) return;
    this.mergedInto.set(a, b);
    this.merges.push({ from: a, into: b });
  }

  survivor(id: string): string {
    let current = id;
    for (let next = this.mergedInto.get(current); next !== undefined; next = this.mergedInto.get(current)) current = next;
    return current;
  }

  /** Claims with their owners followed to survivors, ready to insert. */
  finalClaims() {
    return this.claims.map((c) => ({ ...c, ownerId: this.survivor(c.ownerId) }));
  }
}
