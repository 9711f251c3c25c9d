import { Alert, Button } from '@mui/material';
import { type ReactNode, useState } from 'react';
import { Edit, type EditProps, HttpError, useEditContext, useNotify } from 'react-admin';

interface Conflict {
  message: string;
  currentVersion?: number;
}

function ConflictBanner({ conflict, onReload }: { conflict: Conflict; onReload: () => void }) {
  const { refetch } = useEditContext();
  return (
    <Alert
      severity="warning"
      role="alert"
      data-testid="stale-edit"
      sx={{ m: 2, mb: 0 }}
      action={
        <Button
          color="inherit"
          size="small"
          onClick={() => {
            void refetch();
            onReload();
          }}
        >
          Reload
        </Button>
      }
    >
      <strong>Not saved: someone else changed this since you opened it</strong>
      {conflict.currentVersion ? ` (now version ${conflict.currentVersion})` : ''}. Reload to see their version, then apply your change again.
    </Alert>
  );
}

/**
 * `Edit` for versioned records (campaigns, discount rules, templates): saves wait for the server
 * (pessimistic), so a 400's `errors` land under their inputs, and a 409 stale edit is shown as such.
 */
export function VersionedEdit({ children, ...props }: EditProps & { children: ReactNode }) {
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const notify = useNotify();
  return (
    <Edit
      {...props}
      mutationMode="pessimistic"
      mutationOptions={{
        onError: (error: unknown) => {
          const http = error instanceof HttpError ? error : null;
          if (http?.status === 409 && http.body?.error === 'version_conflict') {
            setConflict({ message: http.message, currentVersion: http.body.currentVersion });
            return;
          }
          if (http?.status === 400 && http.body?.errors && Object.keys(http.body.errors).length > 0) {
            notify('Not saved: fix the fields marked in red', { type: 'error' });
            return;
          }
          notify(http?.message ?? (error as Error)?.message ?? 'Not saved', { type: 'error' });
        },
        onSuccess: (data: { version?: number }) => {
          setConflict(null);
          notify(data?.version ? `Saved (version ${data.version})` : 'Saved', { type: 'success' });
        },
      }}
    >
      {conflict ? <ConflictBanner conflict={conflict} onReload={() => setConflict(null)} /> : null}
      {children}
    </Edit>
  );
}
