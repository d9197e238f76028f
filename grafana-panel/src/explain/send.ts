import { llm } from '@grafana/llm';
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

/** The chat-completions URL of a base URL such as `http://127.0.0.1:11434/v1`. */
export function chatCompletionsUrl(base: string): string {
  return base.endsWith('/chat/completions') ? base : `${base.replace(/\/+$/, '')}/chat/completions`;
}

/** One OpenAI Chat Completions call, without streaming; every error shape becomes an Error. */
async function postChatCompletions(url: string, model: string, messages: Array<{ role: string; content: string }>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: false }),
  });
  const body = await response.text();
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
  }
  const error = json?.error ?? (json?.object === 'error' ? json : undefined);
  if (!response.ok || error) {
    const message = typeof error === 'string' ? error : (error?.message ?? body.slice(0, 200));
    throw new Error(`${url} answered ${response.status}: ${message}`);
  }
  const content = json?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') {
    throw new Error(`${url} answered without choices[0].message.content`);
  }
  return content;
}
