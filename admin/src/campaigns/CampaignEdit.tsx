import { Create, ListButton, TopToolbar } from 'react-admin';
import { VersionedEdit } from '../common/VersionedEdit';
import { type CampaignFormValues, NEW_CAMPAIGN, toCampaignBody } from './campaign-body';
import { CampaignForm } from './CampaignForm';
import { CampaignStatusButton } from './CampaignStatusButton';

const transform = (values: CampaignFormValues) => toCampaignBody(values);

export function CampaignEdit() {
  return (
    <VersionedEdit
      actions={
        <TopToolbar>
          <CampaignStatusButton />
          <ListButton />
        </TopToolbar>
      }
      transform={transform}
    >
      <CampaignForm />
    </VersionedEdit>
  );
}

export function CampaignCreate() {
  return (
    <Create transform={transform} record={NEW_CAMPAIGN} redirect="edit">
      <CampaignForm />
    </Create>
  );
}
