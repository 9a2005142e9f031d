import type { CreatePin, Pin, PinEvent } from '../../../../protocol/index.js';
import type { HubApi } from '../../lib/api/hub-api.js';
import { ValueStore } from '../../lib/store.js';

export interface PinsState {
  /** `loading` until the first list arrives; `error` when it could not be had (pins may still arrive by events). */
  status: 'loading' | 'ready' | 'error';
  /** Oldest first, as the hub lists them; unique by id. */
  pins: readonly Pin[];
  error: string | undefined;
}

/**
 * The hub's pins, shared by everyone: listed from /api/pins, then kept current by the hub's `pin`
 * events, whoever created or deleted them. Listed again after every reconnect (events sent while
 * away are lost); events that arrive while a list is on its way are applied on top of it.
 */
export class PinsStore extends ValueStore<PinsState> {
  private loading: AbortController | undefined;
  /** Events seen while a list request was out: the list may predate them. */
  private pendingEvents: PinEvent[] = [];

  constructor(private readonly api: Pick<HubApi, 'listPins' | 'createPin' | 'deletePin'>) {
    super({ status: 'loading', pins: [], error: undefined });
  }

  async load(): Promise<void> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.pendingEvents = [];
    try {
      const listed = await this.api.listPins(controller.signal);
      if (controller.signal.aborted) return;
      let pins: readonly Pin[] = dedupe(listed);
      for (const event of this.pendingEvents) pins = applyEvent(pins, event);
      this.set({ status: 'ready', pins, error: undefined });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.set({ ...this.getSnapshot(), status: 'error', error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.loading === controller) {
        this.loading = undefined;
        this.pendingEvents = [];
      }
    }
  }

  /** A `pin` event from the hub. */
  apply(event: PinEvent): void {
    if (this.loading) this.pendingEvents.push(event);
    this.set({ ...this.getSnapshot(), pins: applyEvent(this.getSnapshot().pins, event) });
  }

  /** Creates a pin (the hub also tells everyone, us included); rejects with the hub's ApiError. */
  async create(input: CreatePin): Promise<Pin> {
    const pin = await this.api.createPin(input);
    this.apply({ type: 'pin', action: 'created', pin });
    return pin;
  }

  async delete(pin: Pin): Promise<void> {
    await this.api.deletePin(pin.id);
    this.apply({ type: 'pin', action: 'deleted', pin });
  }

  find(id: string): Pin | undefined {
    return this.getSnapshot().pins.find((pin) => pin.id === id);
  }

  stop(): void {
    this.loading?.abort();
    this.loading = undefined;
  }
}

function applyEvent(pins: readonly Pin[], event: PinEvent): readonly Pin[] {
  const without = pins.filter((pin) => pin.id !== event.pin.id);
  if (event.action === 'deleted') return without.length === pins.length ? pins : without;
  // Created or updated (its past filled from history): in creation order, like the hub's list (an echo of one we already have stays in place).
  const index = pins.findIndex((pin) => pin.id === event.pin.id);
  if (index >= 0) return pins.map((pin) => (pin.id === event.pin.id ? event.pin : pin));
  return [...without, event.pin].sort((a, b) => a.createdAt - b.createdAt);
}

function dedupe(pins: readonly Pin[]): Pin[] {
  const seen = new Set<string>();
  return pins.filter((pin) => (seen.has(pin.id) ? false : (seen.add(pin.id), true)));
}
