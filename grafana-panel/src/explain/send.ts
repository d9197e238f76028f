import { llm } from '@grafana/llm';
import { chatCompletionsUrl, postChatCompletions } from './openai';
import { SYSTEM_PROMPT } from './prompt';

/** Where an explanation request goes. */
export type Destination =
  { kind: 'grafana-llm' } | { kind: 'endpoint'; url: string; model: string } | { kind: 'offline' };

/** The destination to use: the Grafana LLM app when allowed and enabled, else the endpoint, else offline. */
export async function chooseDestination(useGrafanaLlm: boolean, endpoint: string, model: string): Promise<Destination> {
  if (useGrafanaLlm && (await grafanaLlmEnabled())) {
    return { kind: 'grafana-llm' };
  }
  if (endpoint.trim() !== '') {
    return { kind: 'endpoint', url: chatCompletionsUrl(endpoint.trim()), model };
  }
  return { kind: 'offline' };
}

/** In words, for the confirmation step. */
export function describeDestination(destination: Destination): string {
  switch (destination.kind) {
    case 'grafana-llm':
      return 'the Grafana LLM app (keys stay on the Grafana server)';
    case 'endpoint':
      return `${destination.url} (model ${destination.model})`;
    case 'offline':
      return 'nowhere: the offline explanation is made in this browser';
  }
}

/** Sends a scrubbed prompt to an LLM destination and returns the answer's text. */
export async function sendToLlm(destination: Destination, prompt: string): Promise<string> {
  const messages = [
    { role: 'system' as const, content: SYSTEM_PROMPT },
    { role: 'user' as const, content: prompt },
  ];
  if (destination.kind === 'grafana-llm') {
    const response = await llm.chatCompletions({ messages });
    return response.choices[0]?.message?.content ?? '';
  }
  if (destination.kind === 'endpoint') {
    return postChatCompletions(destination.url, destination.model, messages);
  }
  throw new Error('the offline destination sends nothing');
}

async function grafanaLlmEnabled(): Promise<boolean> {
  try {
    return await llm.enabled();
  } catch {
    return false;
  }
}
