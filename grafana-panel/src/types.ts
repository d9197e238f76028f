/** Layers the panel can draw. */
export type Layer = 'series' | 'band' | 'anomalies' | 'forecast';

/** Which period the corridor follows. */
export type SeasonalityChoice = 'auto' | 'daily' | 'weekly' | 'none';

/** Panel options. The LLM settings hold an endpoint URL and a model name only, never a key. */
export interface CorridorOptions {
  /** 0 (fewest anomalies) to 1 (most). */
  sensitivity: number;
  seasonality: SeasonalityChoice;
  /** Shortest excursion reported, seconds. */
  minDurationS: number;
  /** Forecast steps after the last point; 0 turns the forecast off. */
  forecastHorizon: number;
  layers: Layer[];
  /** Explain through the Grafana LLM app when it is installed and enabled. */
  useGrafanaLlm: boolean;
  /** Base URL of an OpenAI-compatible endpoint that needs no key (a local Ollama, an internal gateway). */
  llmEndpoint: string;
  /** Model name sent to that endpoint. */
  llmModel: string;
}

export const defaultOptions: CorridorOptions = {
  sensitivity: 0.5,
  seasonality: 'auto',
  minDurationS: 0,
  forecastHorizon: 60,
  layers: ['series', 'band', 'anomalies', 'forecast'],
  useGrafanaLlm: true,
  llmEndpoint: '',
  llmModel: 'llama3.2',
};
