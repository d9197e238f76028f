// Grafana's boot data, which @grafana/runtime reads when it is first imported: this module is
// imported before it.
(window as any).grafanaBootData = {
  settings: { appSubUrl: '/grafana', buildInfo: { version: '12.4.10' }, featureToggles: {}, theme2: {} },
  user: { theme: 'dark', timezone: 'utc', locale: 'en-US', language: 'en-US' },
  navTree: [],
};
export {};
