import { Anomaly } from '../engine/types';

/**
 * An explanation made in the browser from the anomaly's shape alone, used when no LLM is
 * configured. The engine's offline rule book matches log and alert text; a panel anomaly is a
 * metric with no log lines, so its kind, side and severity are what there is to go on.
 */
export function offlineExplanation(anomaly: Anomaly): string {
  const side = anomaly.direction === 'above' ? 'above' : 'below';
  const shape: Record<Anomaly['kind'], string> = {
    excursion: `The series left its corridor ${side} normal and came back: a burst, a retry storm or a short outage upstream are typical causes.`,
    level_shift: `The series moved to a new level ${side} the old one and stayed there: look for a deploy, a configuration change or a traffic shift at the start time.`,
    rate_of_change: `The series changed faster than its rate rule allows: look for a sudden load change, a leak or a runaway job.`,
  };
  const urgency: Record<Anomaly['severity'], string> = {
    minor: 'Minor: the peak stayed close to the corridor; watch it before acting.',
    major: 'Major: the peak went well beyond the corridor; check the related services.',
    critical: 'Critical: the peak went far beyond the corridor; treat it as an incident.',
  };
  return `${shape[anomaly.kind]}\n${urgency[anomaly.severity]}\nFirst check: changes and alerts around ${new Date(anomaly.start_ms).toISOString()}.`;
}
