import { PanelPlugin, SelectFieldConfigSettings } from '@grafana/data';
import { CorridorPanel } from './components/CorridorPanel';
import { CorridorOptions, defaultOptions, Layer } from './types';

export const plugin = new PanelPlugin<CorridorOptions>(CorridorPanel).setPanelOptions((builder) =>
  builder
    .addSliderInput({
      path: 'sensitivity',
      name: 'Sensitivity',
      description: '0 reports the fewest anomalies, 1 the most.',
      defaultValue: defaultOptions.sensitivity,
      settings: { min: 0, max: 1, step: 0.05 },
    })
    .addRadio({
      path: 'seasonality',
      name: 'Seasonality',
      defaultValue: defaultOptions.seasonality,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'daily', label: 'Daily' },
          { value: 'weekly', label: 'Weekly' },
          { value: 'none', label: 'None' },
        ],
      },
    })
    .addNumberInput({
      path: 'minDurationS',
      name: 'Minimum duration (s)',
      description: 'Shorter excursions are not reported.',
      defaultValue: defaultOptions.minDurationS,
      settings: { min: 0 },
    })
    .addNumberInput({
      path: 'forecastHorizon',
      name: 'Forecast horizon (steps)',
      description: 'Points forecast after the last one; 0 for none.',
      defaultValue: defaultOptions.forecastHorizon,
      settings: { min: 0, max: 10000, integer: true },
    })
    // A multi-select's option type is one choice, its value a list of them.
    .addMultiSelect<Layer, SelectFieldConfigSettings<Layer>>({
      path: 'layers',
      name: 'Layers',
      defaultValue: defaultOptions.layers as unknown as Layer,
      settings: {
        options: [
          { value: 'series', label: 'Series' },
          { value: 'band', label: 'Corridor' },
          { value: 'anomalies', label: 'Anomalies' },
          { value: 'forecast', label: 'Forecast' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'useGrafanaLlm',
      name: 'Explain with the Grafana LLM app',
      description: 'Used when the app is installed and enabled; its keys stay on the server.',
      defaultValue: defaultOptions.useGrafanaLlm,
      category: ['Explain'],
    })
    .addTextInput({
      path: 'llmEndpoint',
      name: 'OpenAI-compatible endpoint URL',
      description:
        'Used otherwise, e.g. http://127.0.0.1:11434/v1 (Ollama). It must need no key: never put a key here.',
      defaultValue: defaultOptions.llmEndpoint,
      category: ['Explain'],
    })
    .addTextInput({
      path: 'llmModel',
      name: 'Model',
      defaultValue: defaultOptions.llmModel,
      category: ['Explain'],
      showIf: (options) => options.llmEndpoint !== '',
    })
);
