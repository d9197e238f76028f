import React, { useEffect, useState } from 'react';
import { Alert, Button } from '@grafana/ui';
import { Anomaly, DetectResult, Engine } from '../engine/types';
import { describeError } from '../engine/analyze';
import { anomalyPrompt } from '../explain/prompt';
import { offlineExplanation } from '../explain/offline';
import { chooseDestination, describeDestination, Destination, sendToLlm } from '../explain/send';
import { CorridorOptions } from '../types';

interface Props {
  engine: Engine;
  seriesName: string;
  anomaly: Anomaly;
  detect: DetectResult;
  options: CorridorOptions;
}

type Step =
  | { kind: 'preparing' }
  | { kind: 'confirm'; destination: Destination; scrubbed: string; mapping: Record<string, string> }
  | { kind: 'sending' }
  | { kind: 'answer'; text: string; source: string }
  | { kind: 'failed'; message: string };

/**
 * Explains one anomaly: shows exactly the scrubbed text that would leave the browser and where
 * it would go, and sends it only after the user confirms. With no LLM configured the answer is
 * made offline and nothing is sent.
 */
export function ExplainBox({ engine, seriesName, anomaly, detect, options }: Props) {
  const [step, setStep] = useState<Step>({ kind: 'preparing' });
  const { useGrafanaLlm, llmEndpoint, llmModel } = options;
  useEffect(() => {
    let current = true;
    chooseDestination(useGrafanaLlm, llmEndpoint, llmModel).then((destination) => {
      const scrubbed = engine.scrub(anomalyPrompt(seriesName, anomaly, detect), {});
      if (current) {
        setStep({ kind: 'confirm', destination, scrubbed: scrubbed.text, mapping: scrubbed.mapping });
      }
    });
    return () => {
      current = false;
    };
  }, [engine, seriesName, anomaly, detect, useGrafanaLlm, llmEndpoint, llmModel]);

  const send = async (destination: Destination, scrubbed: string, mapping: Record<string, string>) => {
    if (destination.kind === 'offline') {
      setStep({ kind: 'answer', text: offlineExplanation(anomaly), source: 'offline explanation' });
      return;
    }
    setStep({ kind: 'sending' });
    try {
      const answer = await sendToLlm(destination, scrubbed);
      setStep({ kind: 'answer', text: engine.restore(answer, mapping).text, source: describeDestination(destination) });
    } catch (error) {
      setStep({ kind: 'failed', message: describeError(error) });
    }
  };

  switch (step.kind) {
    case 'preparing':
      return <div data-testid="corridor-explain">Preparing…</div>;
    case 'confirm':
      return (
        <div data-testid="corridor-explain">
          <div>
            Will be sent to <b data-testid="corridor-explain-destination">{describeDestination(step.destination)}</b>:
          </div>
          <pre data-testid="corridor-explain-preview" style={{ whiteSpace: 'pre-wrap', fontSize: 11 }}>
            {step.scrubbed}
          </pre>
          <Button
            size="sm"
            onClick={() => send(step.destination, step.scrubbed, step.mapping)}
            data-testid="corridor-explain-send"
          >
            {step.destination.kind === 'offline' ? 'Explain offline' : 'Send'}
          </Button>
        </div>
      );
    case 'sending':
      return <div data-testid="corridor-explain">Waiting for the answer…</div>;
    case 'answer':
      return (
        <div data-testid="corridor-explain">
          <div>From {step.source}:</div>
          <pre data-testid="corridor-explain-answer" style={{ whiteSpace: 'pre-wrap', fontSize: 11 }}>
            {step.text}
          </pre>
        </div>
      );
    case 'failed':
      return (
        <div data-testid="corridor-explain-error">
          <Alert title="Explanation failed" severity="error">
            {step.message}
          </Alert>
        </div>
      );
  }
}
