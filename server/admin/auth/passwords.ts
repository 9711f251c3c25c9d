import bcrypt from 'bcryptjs';

/**
 * bcrypt, cost 12 (about 0.3 s here), in pure JavaScript: the argon2 addon's prebuilt binary crashed on this
 * kind of machine, and a password hash must never take a process down.
 */
const COST = 12;

/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
export const MAX_PASSWORD_BYTES = 72;

export function hashPassword(password: string): Promise<string> {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new RangeError(`a password may be at most ${MAX_PASSWORD_BYTES} bytes`);
  return bcrypt.hash(password, COST);
}

// Compared against when no user has the email, so a wrong email costs the same time as a wrong password.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  const usable = Buffer.byteLength(password) <= MAX_PASSWORD_BYTES;
  if (!hash || !usable) {
    dummyHash ??= hashPassword('no user has this password');
    await bcrypt.compare(usable ? password : '', await dummyHash);
    return false;
  }
  return bcrypt.compare(password, hash).catch(() => false);
}
