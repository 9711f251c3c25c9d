import { SetMetadata } from '@nestjs/common';
import type { AdminRole } from '../../../models/admin';

export const ADMIN_ROLES_KEY = 'adminRoles';

/**
 * The roles allowed on a route (or every route of a controller). Routes without it are open to every
 * signed-in role: reading is for all three, changing things is for whom the route names.
 */
export const AdminRoles = (...roles: AdminRole[]) => SetMetadata(ADMIN_ROLES_KEY, roles);

/** Shorthands for the console's rules. */
export const CAN_EDIT_MARKETING: AdminRole[] = ['admin', 'marketer'];
export const ADMIN_ONLY: AdminRole[] = ['admin'];
