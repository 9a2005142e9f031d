import { z } from 'zod';
import {
  captureCreatedSchema,
  captureSchema,
  deployListSchema,
  deployVerdictsSchema,
  histogramSchema,
  pinListSchema,
  pinRateSchema,
  pinSchema,
  type Capture,
  type CaptureCreated,
  type CreateCapture,
  type CreatePin,
  type Deploy,
  type DeployVerdicts,
  type Histogram,
  type Pin,
  type PinRate,
  type SearchRecord,
} from '../../../../protocol/index.js';
import { apiRequest, type ApiOptions } from './api-client.js';
import { histogramPath, searchRecords, type HistogramQuery, type SearchQuery } from './search-api.js';

/**
 * The hub's HTTP API as the UI uses it (docs/protocol.md, "HTTP API"): every call carries the
 * viewer's token, every answer is checked against the protocol's schema. Features take this (or
 * the part of it they need) so their tests can hand them a fake.
 */
export class HubApi {
  constructor(
    private readonly options: {
      getToken?: () => string | undefined;
      fetch?: typeof fetch;
    } = {},
  ) {}

  listPins(signal?: AbortSignal): Promise<Pin[]> {
    return apiRequest('/api/pins', pinListSchema, this.with({ signal }));
  }

  createPin(pin: CreatePin): Promise<Pin> {
    return apiRequest('/api/pins', pinSchema, this.with({ method: 'POST', body: pin }));
  }

  async deletePin(id: string): Promise<void> {
    await apiRequest(`/api/pins/${encodeURIComponent(id)}`, z.undefined(), this.with({ method: 'DELETE' }));
  }

  /** Match counts per bucket from the bucket holding `since` (ms, by the hub's clock) to the current one. */
  pinRate(id: string, since: number, signal?: AbortSignal): Promise<PinRate> {
    const query = `since=${Math.max(0, Math.floor(since))}`;
    return apiRequest(`/api/pins/${encodeURIComponent(id)}/rate?${query}`, pinRateSchema, this.with({ signal }));
  }

  /** Deploys that started at `since` or later, oldest first. */
  listDeploys(since: number, signal?: AbortSignal): Promise<Deploy[]> {
    return apiRequest(`/api/deploys?since=${Math.max(0, Math.floor(since))}`, deployListSchema, this.with({ signal }));
  }

  /** Every pin's verdict on deploy `id` (docs/verdicts.md). */
  deployVerdicts(id: string, signal?: AbortSignal): Promise<DeployVerdicts> {
    return apiRequest(`/api/deploys/${encodeURIComponent(id)}/verdicts`, deployVerdictsSchema, this.with({ signal }));
  }

  /** Matching lines from history per bucket of `query.step` ms. */
  histogram(query: HistogramQuery, signal?: AbortSignal): Promise<Histogram> {
    return apiRequest(histogramPath(query), histogramSchema, this.with({ signal }));
  }

  createCapture(capture: CreateCapture): Promise<CaptureCreated> {
    return apiRequest('/api/captures', captureCreatedSchema, this.with({ method: 'POST', body: capture }));
  }

  getCapture(id: string, signal?: AbortSignal): Promise<Capture> {
    return apiRequest(`/api/captures/${encodeURIComponent(id)}`, captureSchema, this.with({ signal }));
  }

  /** One page of a history search, record by record as the hub streams it; abort `signal` to cancel. */
  search(query: SearchQuery, signal?: AbortSignal): AsyncGenerator<SearchRecord, void, undefined> {
    return searchRecords(query, this.with({ signal }));
  }

  private with(options: Omit<ApiOptions, 'token' | 'fetch' | 'signal'> & { signal?: AbortSignal | undefined }): ApiOptions {
    const { signal, ...rest } = options;
    return {
      ...rest,
      token: this.options.getToken?.(),
      ...(signal ? { signal } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    };
  }
}

/** What features call: HubApi's methods, so tests can pass a fake. */
export type HubApiClient = Pick<
  HubApi,
  'listPins' | 'createPin' | 'deletePin' | 'pinRate' | 'listDeploys' | 'deployVerdicts' | 'histogram' | 'createCapture' | 'getCapture' | 'search'
>;
