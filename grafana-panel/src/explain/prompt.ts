import { Anomaly, DetectResult } from '../engine/types';

/** The instructions sent before every anomaly description. */
export const SYSTEM_PROMPT =
  'You are an SRE assistant. Explain the likely causes of the metric anomaly described, in at most five short bullet points, then say what to check first. Placeholders such as <EMAIL_1> stand for removed private values: keep them as they are.';

/** The facts of one anomaly of one series, as the text an LLM would get (before scrubbing). */
export function anomalyPrompt(seriesName: string, anomaly: Anomaly, detect: DetectResult): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const round = (v: number) => Number(v.toPrecision(4));
  const period = detect.period_ms ? `${detect.period_ms / 3_600_000} h` : 'none';
  return [
    `Series: ${seriesName}`,
    `Anomaly: ${anomaly.kind.replace(/_/g, ' ')} ${anomaly.direction} the normal corridor, severity ${anomaly.severity}, score ${round(anomaly.score)}${anomaly.ongoing ? ', still ongoing' : ''}`,
    `From ${iso(anomaly.start_ms)} to ${iso(anomaly.end_ms)}, peak at ${iso(anomaly.peak_ms)}`,
    `Peak value ${round(anomaly.actual)}, expected ${round(anomaly.expected)}`,
    `Sampling step ${detect.step_ms / 1000} s, seasonal period ${period}`,
    'What are the likely causes, and what should the on-call engineer check first?',
  ].join('\n');
}
