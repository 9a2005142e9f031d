/** Small client for the hub's /api routes in tests: status, headers and the parsed body of every answer. */
export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else undefined. */
  body: T;
  text: string;
}

export interface ApiRequest {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (for bodies that are not valid JSON). */
  raw?: string;
  contentType?: string;
  token?: string;
}

export async function api<T = unknown>(baseUrl: string, method: string, path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (request.json !== undefined || request.raw !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
    body = request.raw ?? JSON.stringify(request.json);
  }
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : undefined) as T, text };
}

/**
 * The value of one Prometheus sample, e.g. `metricValue(text, 'supergrep_pin_matches_total{pin="x"}')`;
 * undefined when the series is absent.
 */
export function metricValue(exposition: string, series: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
