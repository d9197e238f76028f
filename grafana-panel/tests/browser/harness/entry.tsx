// A page that stands in for Grafana: it supplies the externals Grafana gives plugins (AMD
// `define`), Grafana's own theme and PanelChrome, a backend that forwards the Grafana LLM app's
// routes to the test server, and renders the built panel (dist/module.js) on data it makes
// from `window.__HARNESS__`.
import './boot';
import React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as emotion from '@emotion/css';
import * as data from '@grafana/data';
import * as runtime from '@grafana/runtime';
import * as ui from '@grafana/ui';
import * as rxjs from 'rxjs';

interface SeriesSpec {
  name: string;
  points: number;
  level?: number;
  spikes?: number[];
  nulls?: boolean;
}

interface HarnessConfig {
  pluginBase: string;
  series: SeriesSpec[];
  options: Record<string, unknown>;
  width: number;
  height: number;
}

const MINUTE_MS = 60_000;
const START_MS = Date.UTC(2026, 0, 5);

function makeFrames(specs: SeriesSpec[]): data.DataFrame[] {
  return specs.map((spec, s) => {
    const level = spec.level ?? 100;
    let seed = 7 + s;
    const noise = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    const values = Array.from({ length: spec.points }, (_, i) =>
      spec.nulls ? null : level * (1 + 0.2 * Math.sin((2 * Math.PI * i) / 1440 + s) + 0.04 * noise())
    );
    for (const i of spec.spikes ?? []) {
      values[i] = level * 4;
    }
    return data.createDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: data.FieldType.time, values: values.map((_, i) => START_MS + i * MINUTE_MS) },
        { name: 'Value', type: data.FieldType.number, values, config: { displayNameFromDS: spec.name } },
      ],
    });
  });
}

async function json(response: Response) {
  if (!response.ok) {
    throw { status: response.status, data: await response.text() };
  }
  return response.json();
}

runtime.setBackendSrv({
  get: (url: string) => fetch(url).then(json),
  post: (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(
      json
    ),
} as unknown as runtime.BackendSrv);

const externals: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  '@emotion/css': emotion,
  '@grafana/data': data,
  '@grafana/runtime': runtime,
  '@grafana/ui': ui,
  rxjs,
};

/** Loads the built plugin through a one-module AMD loader, as Grafana's SystemJS does. */
function loadPlugin(base: string): Promise<data.PanelPlugin> {
  const uri = `${base}module.js`;
  return new Promise((resolve, reject) => {
    (window as any).define = (deps: string[], factory: (...args: unknown[]) => { plugin: data.PanelPlugin }) => {
      const args = deps.map((dep) => (dep === 'module' ? { uri } : externals[dep]));
      resolve(factory(...args).plugin);
    };
    (window as any).define.amd = true;
    const script = document.createElement('script');
    script.src = uri;
    script.onerror = () => reject(new Error(`cannot load ${uri}`));
    document.head.appendChild(script);
  });
}

function Panel({
  plugin,
  config,
  frames,
}: {
  plugin: data.PanelPlugin;
  config: HarnessConfig;
  frames: data.DataFrame[];
}) {
  const PanelComponent = plugin.panel!;
  const timeRange = data.getDefaultTimeRange();
  return (
    <ui.PanelChrome title="Corridor" width={config.width} height={config.height}>
      {(width, height) => (
        <PanelComponent
          id={1}
          data={{ series: frames, state: data.LoadingState.Done, timeRange }}
          timeRange={timeRange}
          timeZone="utc"
          options={config.options}
          fieldConfig={{ defaults: {}, overrides: [] }}
          transparent={false}
          width={width}
          height={height}
          renderCounter={0}
          title="Corridor"
          eventBus={new data.EventBusSrv()}
          onOptionsChange={() => {}}
          onFieldConfigChange={() => {}}
          replaceVariables={(s: string) => s}
          onChangeTimeRange={() => {}}
        />
      )}
    </ui.PanelChrome>
  );
}

async function main() {
  const config: HarnessConfig = (window as any).__HARNESS__;
  const plugin = await loadPlugin(config.pluginBase);
  const theme = data.createTheme();
  document.body.style.background = theme.colors.background.canvas;
  document.body.style.color = theme.colors.text.primary;
  document.body.style.fontFamily = theme.typography.fontFamily;
  const root = createRoot(document.getElementById('root')!);
  const render = (frames: data.DataFrame[]) =>
    root.render(
      <ui.ThemeContext.Provider value={theme}>
        <Panel plugin={plugin} config={config} frames={frames} />
      </ui.ThemeContext.Provider>
    );
  /** Clears the panel, renders fresh frames and resolves, in ms, once `count` bands are on screen and painted. */
  (window as any).renderAndTime = (count: number) =>
    new Promise<number>((resolve) => {
      const frames = makeFrames(config.series);
      ReactDOM.flushSync(() => root.render(null));
      const start = performance.now();
      render(frames);
      const check = () => {
        if (document.querySelectorAll('[data-testid="corridor-band"]').length >= count) {
          requestAnimationFrame(() => resolve(performance.now() - start));
        } else {
          requestAnimationFrame(check);
        }
      };
      check();
    });
  render(makeFrames(config.series));
  (window as any).harnessReady = true;
}

main().catch((error) => {
  document.body.textContent = `harness failed: ${error}`;
});
