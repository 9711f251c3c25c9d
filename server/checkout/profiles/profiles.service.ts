import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import { paymentMethods, savedAddresses, type PaymentMethodRow, type SavedAddressRow } from '../../../models';
import { DATABASE, Database, Transaction } from '../../database/database';
import { notFound } from '../../http/resource-http';
import type { PostalAddress } from '../addresses/address';
import type { NewPaymentMethodInput } from './profile-input';

/** Whose profile: the source (from its server key) and the merchant's customer id. Every query is scoped by both. */
export interface ProfileOwner {
  sourceId: string;
  customerRef: string;
}

export interface AddressChange {
  label?: string | null;
  address?: PostalAddress;
  isDefault?: boolean;
}

const ownsAddress = (owner: ProfileOwner) => and(eq(savedAddresses.sourceId, owner.sourceId), eq(savedAddresses.customerRef, owner.customerRef));
const ownsCard = (owner: ProfileOwner) => and(eq(paymentMethods.sourceId, owner.sourceId), eq(paymentMethods.customerRef, owner.customerRef), isNull(paymentMethods.removedAt));

/** A shopper's saved addresses and tokenized cards; exactly one default of each whenever any exist. */
@Injectable()
export class ProfilesService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  listAddresses(owner: ProfileOwner): Promise<SavedAddressRow[]> {
    return this.db.select().from(savedAddresses).where(ownsAddress(owner)).orderBy(desc(savedAddresses.isDefault), desc(savedAddresses.createdAt));
  }

  async address(owner: ProfileOwner, id: string): Promise<SavedAddressRow | undefined> {
    const [row] = await this.db.select().from(savedAddresses).where(and(ownsAddress(owner), eq(savedAddresses.id, id)));
    return row;
  }

  addAddress(owner: ProfileOwner, input: { label?: string; address: PostalAddress; isDefault?: boolean }): Promise<SavedAddressRow> {
    return this.db.transaction(async (tx) => {
      await lockProfile(tx, owner);
      const [existing] = await tx.select({ id: savedAddresses.id }).from(savedAddresses).where(ownsAddress(owner)).limit(1);
      const isDefault = input.isDefault === true || !existing;
      if (isDefault) await tx.update(savedAddresses).set({ isDefault: false }).where(and(ownsAddress(owner), eq(savedAddresses.isDefault, true)));
      const [row] = await tx
        .insert(savedAddresses)
        .values({ sourceId: owner.sourceId, customerRef: owner.customerRef, label: input.label ?? null, address: input.address, isDefault })
        .returning();
      return row;
    });
  }

  updateAddress(owner: ProfileOwner, id: string, change: AddressChange): Promise<SavedAddressRow> {
    return this.db.transaction(async (tx) => {
      await lockProfile(tx, owner);
      const [before] = await tx.select().from(savedAddresses).where(and(ownsAddress(owner), eq(savedAddresses.id, id)));
      if (!before) throw notFound('saved address', id);
      if (change.isDefault === true) await tx.update(savedAddresses).set({ isDefault: false }).where(and(ownsAddress(owner), ne(savedAddresses.id, id)));
      const [row] = await tx
        .update(savedAddresses)
        .set({
          ...(change.label !== undefined ? { label: change.label } : {}),
          ...(change.address ? { address: change.address } : {}),
          ...(change.isDefault === true ? { isDefault: true } : {}),
          updatedAt: new Date(),
        })
        .where(eq(savedAddresses.id, id))
        .returning();
      return row;
    });
  }

  removeAddress(owner: ProfileOwner, id: string): Promise<void> {
    return this.db.transaction(async (tx) => {
      await lockProfile(tx, owner);
      const [removed] = await tx.delete(savedAddresses).where(and(ownsAddress(owner), eq(savedAddresses.id, id))).returning();
      if (!removed) throw notFound('saved address', id);
      if (removed.isDefault) {
        const [next] = await tx.select({ id: savedAddresses.id }).from(savedAddresses).where(ownsAddress(owner)).orderBy(desc(savedAddresses.createdAt)).limit(1);
        if (next) await tx.update(savedAddresses).set({ isDefault: true }).where(eq(savedAddresses.id, next.id));
      }
    });
  }

  listPaymentMethods(owner: ProfileOwner): Promise<PaymentMethodRow[]> {
    return this.db.select().from(paymentMethods).where(ownsCard(owner)).orderBy(desc(paymentMethods.isDefault), desc(paymentMethods.createdAt));
  }

  async paymentMethod(owner: ProfileOwner, id: string): Promise<PaymentMethodRow | undefined> {
    const [row] = await this.db.select().from(paymentMethods).where(and(ownsCard(owner), eq(paymentMethods.id, id)));
    return row;
  }

  addPaymentMethod(owner: ProfileOwner, input: NewPaymentMethodInput): Promise<PaymentMethodRow> {
    return this.db.transaction(async (tx) => {
      await lockProfile(tx, owner);
      const [existing] = await tx.select({ id: paymentMethods.id }).from(paymentMethods).where(ownsCard(owner)).limit(1);
      const isDefault = input.is_default === true || !existing;
      if (isDefault) await tx.update(paymentMethods).set({ isDefault: false }).where(and(ownsCard(owner), eq(paymentMethods.isDefault, true)));
      const [row] = await tx
        .insert(paymentMethods)
        .values({
          sourceId: owner.sourceId,
          customerRef: owner.customerRef,
          provider: input.provider,
          token: input.token,
          fallbackTokens: (input.fallback_tokens ?? {}) as Record<string, string>,
          brand: input.brand,
          last4: input.last4,
          expMonth: input.exp_month,
          expYear: input.exp_year,
          isDefault,
        })
        .returning();
      return row;
    });
  }

  makeDefaultPaymentMethod(owner: ProfileOwner, id: string): Promise<PaymentMethodRow> {
    return this.db.transaction(async (tx) => {
      await lockProfile(tx, owner);
      const [card] = await tx.select({ id: paymentMethods.id }).from(paymentMethods).where(and(ownsCard(owner), eq(paymentMethods.id, id)));
      if (!card) throw notFound('payment method', id);
      await tx.update(paymentMethods).set({ isDefault: false }).where(and(ownsCard(owner), ne(paymentMethods.id, id)));
      const [row] = await tx.update(paymentMethods).set({ isDefault: true }).where(eq(paymentMethods.id, id)).returning();
      return row;
    });
  }

  /** Removed cards stay as rows (payment attempts refer to them) but are never shown or charged again. */
  removePaymentMethod(owner: ProfileOwner, id: string): Promise<void> {
    return this.db.transaction(async (tx) => {
      await lockProfile(tx, owner);
      const [removed] = await tx
        .update(paymentMethods)
        .set({ removedAt: new Date(), isDefault: false })
        .where(and(ownsCard(owner), eq(paymentMethods.id, id)))
        .returning({ isDefault: paymentMethods.isDefault, id: paymentMethods.id });
      if (!removed) throw notFound('payment method', id);
      const [next] = await tx.select({ id: paymentMethods.id, isDefault: paymentMethods.isDefault }).from(paymentMethods).where(ownsCard(owner)).orderBy(desc(paymentMethods.isDefault), desc(paymentMethods.createdAt)).limit(1);
      if (next && !next.isDefault) await tx.update(paymentMethods).set({ isDefault: true }).where(eq(paymentMethods.id, next.id));
    });
  }

  /** What one-click completion uses when the checkout names none. */
  async defaults(owner: ProfileOwner): Promise<{ address?: SavedAddressRow; paymentMethod?: PaymentMethodRow }> {
    const [address] = await this.db.select().from(savedAddresses).where(and(ownsAddress(owner), eq(savedAddresses.isDefault, true)));
    const [paymentMethod] = await this.db.select().from(paymentMethods).where(and(ownsCard(owner), eq(paymentMethods.isDefault, true)));
    return { address, paymentMethod };
  }
}

/** Serialises changes to one shopper's profile, so "exactly one default" holds under concurrent edits. */
async function lockProfile(tx: Transaction, owner: ProfileOwner) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`profile:${owner.sourceId}:${owner.customerRef}`}, 11))`);
}
