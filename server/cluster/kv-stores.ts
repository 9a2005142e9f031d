import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Capture, Deploy, Pin } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { CaptureRecords, DeployRecords, PinRecords } from '../storage/record-stores.js';

/** A JetStream call that failed: the API answers 503 (server/api/storage-failure.ts). */
class SharedStoreUnavailable extends Error {
  override name = 'SharedStoreUnavailable';
}

/** Runs a JetStream call, turning its failure into SharedStoreUnavailable. */
export async function shared<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new SharedStoreUnavailable(`${what} in NATS JetStream: ${(cause as Error).message}`, { cause });
  }
}

/** Longest a store's first load may take before the hub refuses to start. */
const LOAD_TIMEOUT_MS = 15_000;

/**
 * Follows every key of a bucket: calls `apply` for each entry, the existing ones first. Resolves
 * once the existing entries are applied. The client's watcher re-creates its consumer after a
 * NATS outage and goes on from where it was, so changes made meanwhile arrive then.
 */
async function follow(kv: KV, what: string, logger: Logger, apply: (entry: KvWatchEntry, initial: boolean) => void): Promise<{ stop(): void }> {
  const empty = (await kv.status()).values === 0;
  const watch = await kv.watch();
  let loaded = empty;
  let markLoaded: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markLoaded = resolve;
    if (empty) resolve();
  });
  void (async () => {
    for await (const entry of watch) {
      try {
        apply(entry, !loaded);
      } catch (err) {
        logger.warn({ err, key: entry.key, what }, 'ignored a malformed entry in a NATS key-value bucket');
      }
      // The watcher marks the last of the existing entries (and every later one) as an update.
      if (!loaded && entry.isUpdate) {
        loaded = true;
        markLoaded();
      }
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`loading ${what} from NATS took longer than ${LOAD_TIMEOUT_MS} ms`)), LOAD_TIMEOUT_MS);
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    watch.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { stop: () => watch.stop() };
}

function byCreation(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface PinChanges {
  /** A pin appeared (created through any hub, this one included). */
  created(pin: Pin): void;
  deleted(id: string): void;
}

/** Pins in the JetStream bucket `sg_pins` (key: pin id, value: the pin as JSON), mirrored in memory. */
export class KvPinStore implements PinRecords {
  private readonly pins = new Map<string, Pin>();
  private listener: PinChanges | undefined;
  private watcher: { stop(): void } | undefined;

  private constructor(private readonly kv: KV) {}

  static async open(kv: KV, logger: Logger): Promise<KvPinStore> {
    const store = new KvPinStore(kv);
    store.watcher = await follow(kv, 'pins', logger, (entry) => {
      if (entry.operation !== 'PUT') {
        if (store.pins.delete(entry.key)) store.listener?.deleted(entry.key);
        return;
      }
      const pin = entry.json<Pin>();
      if (store.pins.has(pin.id)) return;
      store.pins.set(pin.id, pin);
      store.listener?.created(pin);
    });
    return store;
  }

  /** Reports changes from now on (the tracker loads the existing pins with `list`). */
  watch(listener: PinChanges): void {
    this.listener = listener;
  }

  list(): Pin[] {
    return [...this.pins.values()].sort(byCreation);
  }

  async save(pin: Pin): Promise<void> {
    await shared('save the pin', () => this.kv.create(pin.id, JSON.stringify(pin)));
  }

  async delete(id: string): Promise<Pin | undefined> {
    const pin = this.pins.get(id);
    if (!pin) return undefined;
    await shared('delete the pin', () => this.kv.delete(id));
    return pin;
  }

  close(): void {
    this.watcher?.stop();
  }
}

/** Deploy markers in `sg_deploys` (key: deploy id), mirrored in memory. */
export class KvDeployStore implements DeployRecords {
  private readonly deploys = new Map<string, Deploy>();
  /** Ids created through this hub: it announced them itself. */
  private readonly own = new Set<string>();
  private listener: ((deploy: Deploy) => void) | undefined;
  private watcher: { stop(): void } | undefined;

  private constructor(private readonly kv: KV) {}

  static async open(kv: KV, logger: Logger): Promise<KvDeployStore> {
    const store = new KvDeployStore(kv);
    store.watcher = await follow(kv, 'deploys', logger, (entry) => {
      if (entry.operation !== 'PUT') {
        store.deploys.delete(entry.key);
        return;
      }
      const deploy = entry.json<Deploy>();
      const own = store.own.delete(deploy.id);
      if (store.deploys.has(deploy.id)) return;
      store.deploys.set(deploy.id, deploy);
      if (!own) store.listener?.(deploy);
    });
    return store;
  }

  /** Reports deploys marked through other hubs from now on. */
  watch(listener: (deploy: Deploy) => void): void {
    this.listener = listener;
  }

  async save(deploy: Deploy): Promise<void> {
    this.own.add(deploy.id);
    try {
      await shared('save the deploy marker', () => this.kv.create(deploy.id, JSON.stringify(deploy)));
    } catch (err) {
      this.own.delete(deploy.id);
      throw err;
    }
    // Listed at once; its echo from the watch (before or after this) is recognised by `own`.
    if (!this.deploys.has(deploy.id)) this.deploys.set(deploy.id, deploy);
  }

  list(sinceTs = 0, limit = 1000): Deploy[] {
    const matching = [...this.deploys.values()]
      .filter((deploy) => deploy.startedAt >= sinceTs)
      .sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return matching.slice(-limit);
  }

  get(id: string): Deploy | undefined {
    return this.deploys.get(id);
  }

  nextAfter(ts: number): Deploy | undefined {
    let next: Deploy | undefined;
    for (const deploy of this.deploys.values()) {
      if (deploy.startedAt <= ts) continue;
      if (!next || deploy.startedAt < next.startedAt || (deploy.startedAt === next.startedAt && deploy.id < next.id)) next = deploy;
    }
    return next;
  }

  close(): void {
    this.watcher?.stop();
  }
}

/**
 * Captures in `sg_captures`. One can be over NATS's max_payload (16 MiB of lines), so its JSON is
 * cut into chunks `c.<id>.<n>`, written first; `m.<id>` (how many chunks) is written last, so a
 * capture is either complete or absent.
 */
export class KvCaptureStore implements CaptureRecords {
  constructor(
    private readonly kv: KV,
    private readonly chunkBytes: number,
  ) {}

  async save(capture: Capture): Promise<void> {
    const json = Buffer.from(JSON.stringify(capture), 'utf8');
    const chunks = Math.max(1, Math.ceil(json.length / this.chunkBytes));
    await shared('save the capture', async () => {
      for (let n = 0; n < chunks; n += 1) {
        await this.kv.put(`c.${capture.id}.${n}`, json.subarray(n * this.chunkBytes, (n + 1) * this.chunkBytes));
      }
      await this.kv.create(`m.${capture.id}`, JSON.stringify({ chunks, bytes: json.length }));
    });
  }

  async get(id: string): Promise<Capture | undefined> {
    if (!/^[a-z0-9]{1,64}$/.test(id)) return undefined;
    const meta = await shared('read the capture', () => this.kv.get(`m.${id}`));
    if (!meta || meta.operation !== 'PUT') return undefined;
    const { chunks, bytes } = meta.json<{ chunks: number; bytes: number }>();
    const parts = await shared('read the capture', () => Promise.all(Array.from({ length: chunks }, (_, n) => this.kv.get(`c.${id}.${n}`))));
    const json = Buffer.concat(parts.map((part) => Buffer.from(part?.value ?? new Uint8Array())));
    if (json.length !== bytes) throw new Error(`capture ${id} is incomplete in NATS: ${json.length} of ${bytes} bytes`);
    return JSON.parse(json.toString('utf8')) as Capture;
  }
}
