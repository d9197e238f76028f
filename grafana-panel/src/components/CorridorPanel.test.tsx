import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';
import { CorridorPanel } from './CorridorPanel';
import { loadEngine } from '../engine/load';
import { CorridorOptions, defaultOptions } from '../types';
import { dailyValues, frame } from '../testing/fixtures';

// Only the loader is replaced: it hands over the real engine's Node build instead of fetching the browser build.
jest.mock('../engine/load', () => ({ loadEngine: jest.fn() }));
const mockedLoad = loadEngine as jest.Mock;

function props(
  series: Array<ReturnType<typeof frame>>,
  options: Partial<CorridorOptions> = {}
): PanelProps<CorridorOptions> {
  return {
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    options: { ...defaultOptions, ...options },
    width: 800,
    height: 600,
  } as unknown as PanelProps<CorridorOptions>;
}

describe('CorridorPanel', () => {
  beforeEach(() => mockedLoad.mockResolvedValue(require('../wasm/nodejs/corridor_web')));

  it('draws band, line, anomalies and forecast for every series', async () => {
    const series = Array.from({ length: 50 }, (_, i) => frame(`s${i}`, dailyValues(1440, i % 10 === 0 ? [1200] : [])));
    render(<CorridorPanel {...props(series)} />);
    await waitFor(() => expect(screen.getAllByTestId('corridor-series')).toHaveLength(50));
    expect(screen.getAllByTestId('corridor-band')).toHaveLength(50);
    expect(screen.getAllByTestId('corridor-band')[0].getAttribute('d')).toMatch(/^M.+Z$/);
    expect(screen.getAllByTestId('corridor-forecast-line')).toHaveLength(50);
    expect(screen.getAllByTestId('corridor-legend')[0].textContent).toMatch(/s0 · \d+ anomalies/);
    const critical = screen
      .getAllByTestId('corridor-anomaly-point')
      .filter((p) => p.getAttribute('data-severity') === 'critical');
    expect(critical.length).toBeGreaterThanOrEqual(5);
  });

  it('hides the layers that are turned off', async () => {
    render(<CorridorPanel {...props([frame('cpu', dailyValues(1440, [1200]))], { layers: ['series'] })} />);
    await waitFor(() => expect(screen.getByTestId('corridor-line')).toBeInTheDocument());
    expect(screen.queryByTestId('corridor-band')).toBeNull();
    expect(screen.queryByTestId('corridor-anomaly-point')).toBeNull();
    expect(screen.queryByTestId('corridor-forecast')).toBeNull();
  });

  it('shows the scrubbed prompt of an anomaly and explains it offline after confirmation', async () => {
    const series = [frame('checkout_errors{owner="ops@example.com"}', dailyValues(1440, [1200]))];
    render(<CorridorPanel {...props(series, { useGrafanaLlm: false })} />);
    const point = await screen.findAllByTestId('corridor-anomaly-point');
    fireEvent.click(point[0]);
    const preview = await screen.findByTestId('corridor-explain-preview');
    expect(preview.textContent).toMatch(/Series: checkout_errors/);
    expect(preview.textContent).not.toMatch(/ops@example\.com/);
    expect(screen.getByTestId('corridor-explain-destination').textContent).toMatch(/offline/);
    expect(screen.queryByTestId('corridor-explain-answer')).toBeNull();
    fireEvent.click(screen.getByTestId('corridor-explain-send'));
    expect((await screen.findByTestId('corridor-explain-answer')).textContent).toMatch(/corridor/);
  });

  it.each([
    ['no data', [], /No data/],
    ['one point', [frame('one', [5])], /only one point/],
    ['all NaN', [frame('nan', [null, null, null, null])], /every value is missing/],
  ])('says so for %s', async (_case, series, message) => {
    render(<CorridorPanel {...props(series)} />);
    await waitFor(() => expect(screen.getByTestId('corridor-message').textContent).toMatch(message));
  });

  it('says so when the engine fails to load', async () => {
    mockedLoad.mockRejectedValue(new Error('WebAssembly.instantiate(): expected magic word'));
    render(<CorridorPanel {...props([frame('cpu', dailyValues(100))])} />);
    await waitFor(() =>
      expect(screen.getByTestId('corridor-message').textContent).toMatch(/could not be loaded.*magic word/)
    );
  });
});
