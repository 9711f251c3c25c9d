import { lazy } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { authProvider } from './auth/authProvider';
import auditLog from './audit-log';
import campaigns from './campaigns';
import checkouts from './checkouts';
import customers from './customers';
import { dataProvider } from './data/dataProvider';
import discountRules from './discount-rules';
import { i18nProvider } from './i18n';
import { ConsoleLayout } from './layout/ConsoleLayout';
import messages from './messages';
import sources from './sources';
import templates from './templates';
import users from './users';

// Charts are the heaviest code: each page loads them when first opened.
const Dashboard = lazy(() => import('./dashboard/Dashboard'));
const FunnelReport = lazy(() => import('./reports/FunnelReport'));
const RecoveryReport = lazy(() => import('./reports/RecoveryReport'));
const ModelReport = lazy(() => import('./reports/ModelReport'));
const LiftReport = lazy(() => import('./reports/LiftReport'));

/** Wires the resources and the reports; each lives in its own folder. */
export function App() {
  return (
    <Admin
      title="Checkout recovery"
      dataProvider={dataProvider}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      dashboard={Dashboard}
      layout={ConsoleLayout}
      requireAuth
      disableTelemetry
    >
      {(role: string | null) => (
        <>
          <Resource name="campaigns" {...campaigns} />
          <Resource name="discount-rules" options={{ label: 'Discount rules' }} {...discountRules} />
          <Resource name="templates" {...templates} />
          <Resource name="checkouts" {...checkouts} />
          <Resource name="messages" {...messages} />
          <Resource name="customers" {...customers} />
          <Resource name="sources" {...sources} />
          {role === 'admin' ? <Resource name="users" {...users} /> : null}
          {role === 'admin' ? <Resource name="audit-log" options={{ label: 'Audit log' }} {...auditLog} /> : null}
          <CustomRoutes>
            <Route path="/reports/funnel" element={<FunnelReport />} />
            <Route path="/reports/recovery" element={<RecoveryReport />} />
            <Route path="/reports/model" element={<ModelReport />} />
            <Route path="/reports/lift" element={<LiftReport />} />
          </CustomRoutes>
        </>
      )}
    </Admin>
  );
}
