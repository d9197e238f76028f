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

/** Runs detect (and forecast when asked) on one series; engine errors become messages. */
export function analyzeSeries(engine: Engine, input: SeriesInput, options: CorridorOptions): SeriesAnalysis {
  const problem = seriesProblem(input);
  if (problem) {
    return { input, problem };
  }
  let detect: DetectResult;
  try {
    detect = engine.detect(input.timestamps, input.values, {
      sensitivity: options.sensitivity,
      seasonality: options.seasonality,
      min_duration_s: options.minDurationS,
    });
  } catch (error) {
    return { input, problem: `${input.name}: ${describeError(error)}` };
  }
  if (options.forecastHorizon <= 0 || !options.layers.includes('forecast')) {
    return { input, detect };
  }
  try {
    return {
      input,
      detect,
      forecast: engine.forecast(input.timestamps, input.values, { horizon: options.forecastHorizon }),
    };
  } catch (error) {
    return { input, detect, forecastProblem: `no forecast: ${describeError(error)}` };
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
