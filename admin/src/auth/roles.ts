import { usePermissions } from 'react-admin';
import type { Role } from './authProvider';

/** Campaigns, discount rules, templates and customer opt-outs: admins and marketers (the server enforces it). */
export function useCanEdit(): boolean {
  const { permissions } = usePermissions<Role>();
  return permissions === 'admin' || permissions === 'marketer';
}

export function useIsAdmin(): boolean {
  const { permissions } = usePermissions<Role>();
  return permissions === 'admin';
}
