// The CLI's use of the generated client (src/client): one token, a time limit, every answer that is not 2xx
// an `ApiError` and an API out of reach a `NetworkError`, each with the exit code the CLI documents.
import { createHookrelayClient, type HookrelayClient } from '../client/index.js';
import { ApiError, CliError, NetworkError } from './errors.js';

/** What an openapi-fetch call resolves to: the parsed body of a 2xx answer, or of any other. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly api: HookrelayClient;

  constructor(baseUrl: string, token: string, timeoutMs = 30_000) {
    this.baseUrl = normalizeBaseUrl(baseUrl);
    this.api = createHookrelayClient(this.baseUrl, { token, timeoutMs });
  }

  /** `client.ok((api) => api.GET('/v1/subscriptions/{id}', { params: { path: { id } } }))`: the 2xx answer's data. */
  async ok<T>(call: (api: HookrelayClient) => Promise<Answer<T>>): Promise<T> {
    let answer: Answer<T>;
    try {
      answer = await call(this.api);
    } catch (error) {
      throw new NetworkError(`cannot reach the API at ${displayUrl(this.baseUrl)}: ${networkReason(error)}`);
    }
    if (answer.response.ok) return answer.data as T;
    throw apiError(answer.response, answer.error);
  }
}

function apiError(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') {
    const details = Array.isArray(error.details)
      ? error.details
          .filter((d): d is { path: unknown; message: unknown } => typeof d === 'object' && d !== null)
          .map((d) => ({ path: String(d.path ?? ''), message: String(d.message ?? '') }))
      : [];
    return new ApiError(response.status, typeof error.code === 'string' ? error.code : 'error', error.message, details);
  }
  return new ApiError(response.status, 'http_error', `HTTP ${response.status} ${response.statusText}`.trim());
}

export function normalizeBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--api: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--api: must be an http or https URL: ${text}`);
  return url.toString().replace(/\/+$/, '');
}

/** The base URL without any credentials it may carry. */
function displayUrl(base: string): string {
  const url = new URL(base);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
}

function networkReason(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  if (e.cause?.code) return e.cause.code;
  if (e.code) return e.code;
  return e.cause?.message ?? e.message ?? String(error);
}
