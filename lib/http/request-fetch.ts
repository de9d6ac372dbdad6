import { request } from 'undici';
import type { Dispatcher } from 'undici';

// The service clients' default transport: `fetch`'s signature (what tests replace and the bench decorates), undici's
// `request` underneath. `fetch` builds a WHATWG Request, streams the body through a ReadableStream and adds five
// headers no service reads; `request` sends the string as it is. Only what the service clients send is supported:
// a URL, a method, plain headers, a string body, a signal.

type FetchInput = Parameters<typeof fetch>[0];

function urlOf(input: FetchInput): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  throw new TypeError('requestFetch takes a URL, not a Request');
}

function headersOf(init: RequestInit | undefined): Record<string, string> | undefined {
  const headers = init?.headers;
  if (headers === undefined) return undefined;
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  return headers as Record<string, string>;
}

function bodyOf(init: RequestInit | undefined): string | undefined {
  const body = init?.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'string') throw new TypeError('requestFetch sends string bodies only');
  return body;
}

/** Statuses whose answer has no body, for which `Response` refuses one. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** `fetch` over undici's `request` (on `dispatcher`, or undici's global one). */
export function requestFetch(dispatcher?: Dispatcher): typeof fetch {
  const send = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const answer = await request(urlOf(input), {
      method: (init?.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: headersOf(init),
      body: bodyOf(init),
      signal: init?.signal ?? undefined,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await answer.body.text();
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
    }
    return new Response(NULL_BODY.has(answer.statusCode) ? null : text, { status: answer.statusCode, headers });
  };
  return send as typeof fetch;
}
