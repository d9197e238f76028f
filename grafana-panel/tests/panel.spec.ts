// End-to-end test against a live Grafana (npm run server, then npm run e2e): needs Docker and
// internet, so it runs in a CI that has both; this machine's browser tests are in tests/browser/.
import { test, expect } from '@grafana/plugin-e2e';

test('draws the corridor of the provisioned Prometheus query', async ({
  gotoPanelEditPage,
  readProvisionedDashboard,
  page,
}) => {
  const dashboard = await readProvisionedDashboard({ fileName: 'dashboard.json' });
  await gotoPanelEditPage({ dashboard, id: '1' });
  await expect(page.getByTestId('corridor-band').first()).toBeVisible();
});
