import EmailIcon from '@mui/icons-material/Email';
import HistoryIcon from '@mui/icons-material/History';
import NotificationsIcon from '@mui/icons-material/Notifications';
import SmsIcon from '@mui/icons-material/Sms';
import type { ChannelChoice } from '../data/types';

export const CHANNEL_COLORS: Record<string, string> = { email: '#1976d2', push: '#9c27b0', sms: '#2e7d32', last_engaged: '#ed6c02' };

export function channelLabel(channel: ChannelChoice | string): string {
  return channel === 'last_engaged' ? 'last engaged' : channel === 'sms' ? 'SMS' : channel;
}

export function ChannelIcon({ channel, fontSize = 'small' }: { channel: ChannelChoice | string; fontSize?: 'small' | 'inherit' | 'medium' }) {
  const sx = { color: CHANNEL_COLORS[channel] };
  if (channel === 'email') return <EmailIcon fontSize={fontSize} sx={sx} />;
  if (channel === 'push') return <NotificationsIcon fontSize={fontSize} sx={sx} />;
  if (channel === 'sms') return <SmsIcon fontSize={fontSize} sx={sx} />;
  return <HistoryIcon fontSize={fontSize} sx={sx} />;
}
