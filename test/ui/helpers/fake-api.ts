import { vi } from 'vitest';
import type { Capture, CaptureCreated, CreateCapture, CreatePin, Deploy, Pin, PinRate } from '../../../protocol/index.js';
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
  createCapture = vi.fn(async (_capture: CreateCapture): Promise<CaptureCreated> => ({ id: 'cap1', url: '/captures/cap1' }));
  getCapture = vi.fn(async (id: string, _signal?: AbortSignal): Promise<Capture> => {
    throw new Error(`no capture ${id} in this test`);
  });
  captureMarkdown = vi.fn(async (id: string, _signal?: AbortSignal): Promise<string> => `# capture ${id}\n`);
}

export function pin(name: string, overrides: Partial<Pin> = {}): Pin {
  return { id: `pin-${name.replace(/\W+/g, '-')}`, name, query: name, createdAt: 1, ...overrides };
}

export function deploy(label: string, startedAt: number, overrides: Partial<Deploy> = {}): Deploy {
  return { id: `dep-${label.replace(/\W+/g, '-')}`, label, startedAt, createdAt: startedAt, ...overrides };
}
