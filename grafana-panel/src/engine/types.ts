import type * as CorridorWeb from '../wasm/panel/corridor_web';

/** The corridor_web functions the panel uses (the browser build, or the Node build in jest). */
export type Engine = Pick<typeof CorridorWeb, 'detect' | 'detectAndForecast' | 'scrub' | 'restore'>;

export type { Anomaly, DetectResult, ForecastResult, Severity } from '../wasm/panel/corridor_web';
