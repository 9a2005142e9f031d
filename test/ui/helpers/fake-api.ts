import { vi } from 'vitest';
import type { Capture, CaptureCreated, CreateCapture, CreatePin, Deploy, DeployVerdicts, Histogram, Pin, PinRate, SearchRecord } from '../../../protocol/index.js';
import type { HistogramQuery, SearchQuery } from '../../../ui/src/lib/api/search-api.js';
import type { HubApiClient } from '../../../ui/src/lib/api/hub-api.js';

/**
 * The hub's HTTP API played by the test: every method is a vi.fn whose default answers an empty hub
 * (no pins, no deploys). Tests replace answers with mockResolvedValueOnce / mockRejectedValueOnce and
 * read the calls.
 */
export class FakeApi implements HubApiClient {
  listPins = vi.fn(async (_signal?: AbortSignal): Promise<Pin[]> => []);
  createPin = vi.fn(async (input: CreatePin): Promise<Pin> => pin(input.name, { ...input }));
  deletePin = vi.fn(async (_id: string): Promise<void> => undefined);
  pinRate = vi.fn(async (id: string, since: number, _signal?: AbortSignal): Promise<PinRate> => ({
    pinId: id,
    bucketMs: 10_000,
    buckets: [{ ts: Math.floor(since / 10_000) * 10_000, count: 0 }],
  }));
  listDeploys = vi.fn(async (_since: number, _signal?: AbortSignal): Promise<Deploy[]> => []);
  /** By default a hub that has no verdict on the deploy (as one without the feature answers). */
  deployVerdicts = vi.fn(async (id: string, _signal?: AbortSignal): Promise<DeployVerdicts> => {
    throw new Error(`no verdicts on deploy ${id} in this test`);
  });
  /** By default an empty history: every bucket of the query counts 0. */
  histogram = vi.fn(async (query: HistogramQuery, _signal?: AbortSignal): Promise<Histogram> => {
    const first = Math.floor(query.from / query.step) * query.step;
    const count = Math.floor(query.to / query.step) - Math.floor(query.from / query.step) + 1;
    return { from: query.from, to: query.to, step: query.step, buckets: Array.from({ length: count }, (_, i) => ({ ts: first + i * query.step, count: 0 })), partial: false };
  });
  createCapture = vi.fn(async (_capture: CreateCapture): Promise<CaptureCreated> => ({ id: 'cap1', url: '/captures/cap1' }));
  getCapture = vi.fn(async (id: string, _signal?: AbortSignal): Promise<Capture> => {
    throw new Error(`no capture ${id} in this test`);
  });
  /** History search: by default an empty history (no match, no cursor). */
  search = vi.fn(async function* (_query: SearchQuery, _signal?: AbortSignal): AsyncGenerator<SearchRecord, void, undefined> {
    yield { type: 'done', count: 0, partial: false };
  });
}

export function pin(name: string, overrides: Partial<Pin> = {}): Pin {
  return { id: `pin-${name.replace(/\W+/g, '-')}`, name, query: name, createdAt: 1, ...overrides };
}

export function deploy(label: string, startedAt: number, overrides: Partial<Deploy> = {}): Deploy {
  return { id: `dep-${label.replace(/\W+/g, '-')}`, label, startedAt, createdAt: startedAt, ...overrides };
}
