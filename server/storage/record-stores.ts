import type { Capture, Deploy, Pin } from '../../protocol/index.js';

/** A value now (SQLite) or later (a store across the network, such as NATS JetStream). */
export type Awaitable<T> = T | Promise<T>;

/**
 * What pins, deploys and captures need from a store. The SQLite stores of one hub (PinStore,
 * DeployStore, CaptureStore) answer at once; the JetStream ones of a cluster (server/cluster/
 * kv-stores.ts) write across the network, and read pins and deploys from a copy in memory that
 * follows every hub's changes. Stores save and load records; records.ts builds them.
 */
export interface PinRecords {
  /** Every pin, oldest first. */
  list(): Pin[];
  /** Saves a new pin (built by buildPin). */
  save(pin: Pin): Awaitable<void>;
  /** Removes the pin (and, where the store keeps them, its counts); the removed pin, if there was one. */
  delete(id: string): Awaitable<Pin | undefined>;
}

export interface DeployRecords {
  /** Saves a new deploy marker (built by buildDeploy). */
  save(deploy: Deploy): Awaitable<void>;
  /** Deploys that started at or after `sinceTs`, oldest first; the newest `limit` when there are more. */
  list(sinceTs?: number, limit?: number): Deploy[];
  get(id: string): Deploy | undefined;
  /** The first deploy (by start, then id) that started after `ts`: it ends the window of one at `ts`. */
  nextAfter(ts: number): Deploy | undefined;
}

export interface CaptureRecords {
  /** Saves a new capture (built by buildCapture). */
  save(capture: Capture): Awaitable<void>;
  get(id: string): Awaitable<Capture | undefined>;
}
