import AddIcon from '@mui/icons-material/Add';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import ArrowForwardIcon from '@mui/icons-material/ArrowForward';
import { Box, Button, Chip, FormHelperText, IconButton, Menu, MenuItem, Stack, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import { useInput } from 'react-admin';
import type { ChannelChoice } from '../data/types';
import { ChannelIcon, channelLabel } from '../common/channels';
import { useDisabledChannels } from '../common/ChannelStatus';

const ALL: ChannelChoice[] = ['push', 'email', 'sms', 'last_engaged'];

/** The step's channels in order of preference: add, remove, move left or right; a channel that cannot send here is struck through. */
export function ChannelOrderInput({ source }: { source: string }) {
  const { field, fieldState } = useInput<ChannelChoice[]>({ source, defaultValue: ['email'] });
  const channels: ChannelChoice[] = Array.isArray(field.value) ? field.value : [];
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const disabled = useDisabledChannels();
  const set = (next: ChannelChoice[]) => field.onChange(next);
  const move = (index: number, by: number) => {
    const next = [...channels];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item);
    set(next);
  };
  const missing = ALL.filter((c) => !channels.includes(c));
  return (
    <Box>
      <Typography variant="caption" color="text.secondary">
        Channels, first choice first
      </Typography>
      <Stack sx={{ alignItems: 'center', flexWrap: 'wrap' }} direction="row" spacing={0.5} useFlexGap data-testid={`${source}-list`}>
        {channels.map((channel, index) => (
          <Stack key={channel} direction="row" sx={{ border: 1, borderColor: 'divider', borderRadius: 4, pr: 0.5, alignItems: 'center' }}>
            <IconButton size="small" aria-label={`move ${channel} earlier`} disabled={index === 0} onClick={() => move(index, -1)}>
              <ArrowBackIcon fontSize="inherit" />
            </IconButton>
            <Tooltip title={disabled.has(channel) ? `cannot send: ${disabled.get(channel)} (skipped by fallback)` : ''}>
              <Chip
                size="small"
                icon={<ChannelIcon channel={channel} />}
                color={disabled.has(channel) ? 'error' : 'default'}
                variant={disabled.has(channel) ? 'outlined' : 'filled'}
                sx={disabled.has(channel) ? { textDecoration: 'line-through' } : undefined}
                data-disabled-channel={disabled.has(channel) || undefined}
                label={`${index + 1}. ${channelLabel(channel)}${disabled.has(channel) ? ' (disabled)' : ''}`}
                onDelete={channels.length > 1 ? () => set(channels.filter((c) => c !== channel)) : undefined}
              />
            </Tooltip>
            <IconButton size="small" aria-label={`move ${channel} later`} disabled={index === channels.length - 1} onClick={() => move(index, 1)}>
              <ArrowForwardIcon fontSize="inherit" />
            </IconButton>
          </Stack>
        ))}
        {missing.length > 0 ? (
          <Button size="small" startIcon={<AddIcon />} onClick={(event) => setAnchor(event.currentTarget)} aria-label="add a channel">
            channel
          </Button>
        ) : null}
      </Stack>
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        {missing.map((channel) => (
          <MenuItem
            key={channel}
            onClick={() => {
              set([...channels, channel]);
              setAnchor(null);
            }}
          >
            {channelLabel(channel)}
          </MenuItem>
        ))}
      </Menu>
      <FormHelperText error={!!fieldState.error}>{fieldState.error?.message ?? ' '}</FormHelperText>
    </Box>
  );
}
