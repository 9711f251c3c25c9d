import AssessmentIcon from '@mui/icons-material/Assessment';
import FilterAltIcon from '@mui/icons-material/FilterAlt';
import PsychologyIcon from '@mui/icons-material/Psychology';
import ScienceIcon from '@mui/icons-material/Science';
import { Layout, type LayoutProps, Menu, useResourceDefinitions } from 'react-admin';
import { ListSubheader } from '@mui/material';

function ConsoleMenu() {
  const resources = useResourceDefinitions();
  return (
    <Menu>
      <Menu.DashboardItem />
      {Object.keys(resources).map((name) => (
        <Menu.ResourceItem key={name} name={name} />
      ))}
      <ListSubheader disableSticky sx={{ lineHeight: '32px', mt: 1 }}>
        Reports
      </ListSubheader>
      <Menu.Item to="/reports/funnel" primaryText="Funnel" leftIcon={<FilterAltIcon />} />
      <Menu.Item to="/reports/recovery" primaryText="Recovery" leftIcon={<AssessmentIcon />} />
      <Menu.Item to="/reports/lift" primaryText="Lift" leftIcon={<ScienceIcon />} />
      <Menu.Item to="/reports/model" primaryText="Model" leftIcon={<PsychologyIcon />} />
    </Menu>
  );
}

export function ConsoleLayout(props: LayoutProps) {
  return <Layout {...props} menu={ConsoleMenu} />;
}
