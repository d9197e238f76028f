// OpenAI Chat Completions over fetch, shared by the panel and the browser demo.

/** The chat-completions URL of a base URL such as `http://127.0.0.1:11434/v1`. */
export function chatCompletionsUrl(base: string): string {
  return base.endsWith('/chat/completions') ? base : `${base.replace(/\/+$/, '')}/chat/completions`;
}

/** One OpenAI Chat Completions call, without streaming; every error shape becomes an Error. */
export async function postChatCompletions(
  url: string,
  model: string,
  messages: Array<{ role: string; content: string }>
) {
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
