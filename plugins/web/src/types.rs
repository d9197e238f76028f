//! TypeScript declarations of the options and answers, emitted into `corridor_web.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** An error thrown by every function: the contract's `code`, `message` and, when one input is at fault, `field`. */
export interface CorridorError extends Error {
  name: "CorridorError";
  code: "empty_series" | "length_mismatch" | "invalid_timestamp" | "too_few_points" | "too_large"
    | "invalid_option" | "malformed_request" | "unsupported_version" | "invalid_state" | "unknown_operation";
  field?: string;
}

/** Detection options (all optional). */
export interface DetectOptions {
  /** 0 (fewest anomalies) to 1 (most); default 0.5. */
  sensitivity?: number;
  seasonality?: "auto" | "none" | "daily" | "weekly";
  /** Shortest excursion reported, seconds. */
  min_duration_s?: number;
  rate_of_change?: Record<string, unknown> | null;
  alert_cooldown_s?: number;
}

/** Forecast options (all optional): default 12 steps at 80 % and 95 %. */
export interface ForecastOptions {
  horizon?: number;
  levels?: number[];
}

export interface Warning { code: string; message: string; count: number; }

export interface Period {
  name: string;
  period_ms: number;
  needed_history_ms: number;
  status: string;
  strength: number;
}

export interface Seasonality { history_ms: number; periods: Period[]; }

export type Severity = "minor" | "major" | "critical";

export interface Anomaly {
  kind: "excursion" | "level_shift" | "rate_of_change";
  direction: "above" | "below";
  start_ms: number;
  end_ms: number;
  peak_ms: number;
  expected: number;
  actual: number;
  score: number;
  severity: Severity;
  ongoing: boolean;
}

/** Per-point columns; `NaN` where the corridor is still warming up. */
export interface PointColumns {
  timestamps_ms: Float64Array;
  values: Float64Array;
  expected: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  score: Float64Array;
}

export interface BaselineResult {
  version: string;
  step_ms: number;
  seasonality: Seasonality;
  period_ms: number | null;
  points: PointColumns;
  warnings: Warning[];
}

export interface DetectResult extends BaselineResult { anomalies: Anomaly[]; }

export interface ModelReport {
  family: "seasonal_naive" | "smoothing" | "seasonal_smoothing";
  period_ms: number | null;
  alpha: number;
  beta: number;
  gamma: number;
  backtest_mae: number;
}

export interface Interval { level: number; lower: number[]; upper: number[]; }

export interface Forecast {
  timestamps_ms: number[];
  point: number[];
  intervals: Interval[];
  model: ModelReport;
  candidates: ModelReport[];
  backtest_mase: number;
  backtest_origins: number;
  history_points: number;
  quality: number;
}

export interface ForecastResult extends Forecast {
  version: string;
  step_ms: number;
  seasonality: Seasonality;
  warnings: Warning[];
}

/** What `detectAndForecast` returns: both answers, or the detection and why the forecast failed. */
export interface DetectAndForecastResult {
  detect: DetectResult;
  forecast?: ForecastResult;
  forecast_error?: CorridorError;
}

/** The scaling policy; `target_per_replica` is required. */
export interface ScalePolicy {
  target_per_replica: number;
  min_replicas?: number;
  max_replicas?: number;
  headroom_level?: number | null;
  lead_time_s?: number;
  stabilization_s?: number;
  cooldown_s?: number;
  max_step?: number;
  tolerance?: number;
}

export interface ScaleParams {
  scale: ScalePolicy;
  forecast?: ForecastOptions;
  current_replicas?: number;
  since_change_s?: number;
}

export interface ScaleResult {
  version: string;
  replicas_now: number;
  timestamps_ms: number[];
  replicas: number[];
  demand: number[];
  changes: number;
  forecast: Forecast;
  warnings: Warning[];
}

export interface ScrubOptions {
  hostnames?: boolean;
  allow?: string[];
  extra?: Record<string, unknown>[];
}

export interface ScrubParams { options?: ScrubOptions; mapping?: Record<string, string>; }

export interface ScrubResult {
  version: string;
  text: string;
  mapping: Record<string, string>;
  report: Record<string, number>;
}

export interface RestoreResult { version: string; text: string; }

export interface LogsAnalyzeParams {
  options?: Record<string, unknown>;
  state?: unknown;
  scrub?: ScrubOptions;
}

/** The contract's `logs_analyze` answer (lines, events, findings, templates, warnings, state). */
export interface LogsAnalyzeResult {
  version: string;
  findings: Record<string, any>[];
  templates: Record<string, any>[];
  warnings: Warning[];
  mapping?: Record<string, string>;
  scrubbed?: Record<string, number>;
  [key: string]: unknown;
}

/** The contract's `explain` request fields: logs as one text or by service, an incident. */
export interface ExplainParams {
  logs?: string | { service?: string; text: string }[];
  incident?: unknown;
  config?: { name: string; text: string }[];
  options?: Record<string, unknown>;
}

/** A command of an explanation: a suggestion that needs a person's approval. */
export interface ExplainCommand { command: string; requires_approval: true; }

/** The contract's `explain` answer. */
export interface ExplainResult {
  version: string;
  explanation: {
    source: 'rule_book' | 'llm' | string;
    family?: string | null;
    summary: string;
    probable_cause: string;
    evidence: string[];
    suggested_fix: string;
    commands: ExplainCommand[];
    confidence: number;
    alternatives: { family: string; score: number }[];
  };
  warnings: Warning[];
  [key: string]: unknown;
}
"#;
