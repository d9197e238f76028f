import { CorridorOptions } from '../types';
import { DetectResult, Engine, ForecastResult } from './types';
import { SeriesInput, seriesProblem } from './series';

/** What the panel draws for one series: the engine's answers, or why there are none. */
export interface SeriesAnalysis {
  input: SeriesInput;
  detect?: DetectResult;
  forecast?: ForecastResult;
  /** Why the series could not be analysed. */
  problem?: string;
  /** Why there is no forecast, when the rest worked. */
  forecastProblem?: string;
}

/**
 * Runs detect, and forecast when asked, on one series (one `detectAndForecast` call for both, which
 * cleans the series and assesses its seasonality once); engine errors become messages.
 */
export function analyzeSeries(engine: Engine, input: SeriesInput, options: CorridorOptions): SeriesAnalysis {
  const problem = seriesProblem(input);
  if (problem) {
    return { input, problem };
  }
  const detectOptions = {
    sensitivity: options.sensitivity,
    seasonality: options.seasonality,
    min_duration_s: options.minDurationS,
  };
  try {
    if (options.forecastHorizon <= 0 || !options.layers.includes('forecast')) {
      return { input, detect: engine.detect(input.timestamps, input.values, detectOptions) };
    }
    const both = engine.detectAndForecast(input.timestamps, input.values, detectOptions, {
      horizon: options.forecastHorizon,
    });
    return both.forecast_error
      ? { input, detect: both.detect, forecastProblem: `no forecast: ${describeError(both.forecast_error)}` }
      : { input, detect: both.detect, forecast: both.forecast };
  } catch (error) {
    return { input, problem: `${input.name}: ${describeError(error)}` };
  }
}

/** An engine error (code and message) or any other thrown value, in words. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
