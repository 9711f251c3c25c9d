import { z } from 'zod';
import { ADMIN_ROLES, type AdminRole } from '../../../../models/admin';
import { newAdminUserSchema } from '../../auth/admin-users.service';

export const USER_READ_ONLY = ['id', 'email', 'disabledAt', 'lastLoginAt', 'createdAt'] as const;

export const USER_LIST = {
  filters: ['q', 'role', 'disabled'] as const,
  sortable: ['createdAt', 'email', 'role', 'lastLoginAt'] as const,
  defaultSort: { field: 'createdAt' as const, order: 'ASC' as const },
};

export const userCreateSchema = newAdminUserSchema;

export const userUpdateSchema = z.strictObject(
  {
    role: z.enum(ADMIN_ROLES as [AdminRole, ...AdminRole[]], `must be one of ${ADMIN_ROLES.join(', ')}`).optional(),
    name: z.string('must be a string').trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').nullable().optional(),
    disabled: z.boolean('must be true or false').optional(),
    password: newAdminUserSchema.shape.password.optional(),
  },
  'must be a JSON object',
);
