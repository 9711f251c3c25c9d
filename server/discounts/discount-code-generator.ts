import { randomBytes } from 'node:crypto';

/** 32 symbols without look-alikes (no 0/O, 1/I): each character carries exactly 5 random bits, no modulo bias. */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 12 characters: 60 random bits, so codes cannot be guessed, even by someone holding many of them. */
export const CODE_LENGTH = 12;

/** A fresh random discount code, upper case, from the system's cryptographic random source. */
export function generateDiscountCode(length = CODE_LENGTH): string {
  const bytes = randomBytes(length);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte & 31];
  return code;
}

/** A code as a shopper may type it: any case, with spaces or dashes; compared upper case, without them. */
export function normalizeDiscountCode(typed: string): string {
  return typed.replace(/[\s-]+/g, '').toUpperCase();
}
