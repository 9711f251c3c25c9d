import CampaignIcon from '@mui/icons-material/Campaign';
import { CampaignCreate, CampaignEdit } from './CampaignEdit';
import { CampaignList } from './CampaignList';

export default { list: CampaignList, edit: CampaignEdit, create: CampaignCreate, icon: CampaignIcon };
