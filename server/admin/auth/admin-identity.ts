import type { AdminRole } from '../../../models/admin';

/** Who is calling the admin API: a console user, or the operations token (acting as an admin). */
export interface AdminIdentity {
  /** Null for the operations token. */
  userId: string | null;
  /** The email, or "operations token". */
  actor: string;
  role: AdminRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    adminIdentity?: AdminIdentity;
  }
}
