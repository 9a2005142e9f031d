import type { Capture, CreateCapture, CreateDeploy, CreatePin, Deploy, Pin } from '../../protocol/index.js';

/** A value now (SQLite) or later (a store across the network, such as NATS JetStream). */
export type Awaitable<T> = T | Promise<T>;

/**
 * What pins, deploys and captures need from a store. The SQLite stores of one hub (PinStore,
 * DeployStore, CaptureStore) answer at once; the JetStream ones of a cluster (server/cluster/
 * kv-stores.ts) write across the network, and read pins and deploys from a copy in memory that
 * follows every hub's changes.
 */
export interface PinRecords {
  /** Every pin, oldest first. */
  list(): Pin[];
  create(input: CreatePin, createdBy: string | undefined, now?: number): Awaitable<Pin>;
  /** Removes the pin (and, where the store keeps them, its counts); the removed pin, if there was one. */
  delete(id: string): Awaitable<Pin | undefined>;
}

export interface DeployRecords {
  create(input: CreateDeploy, createdBy: string | undefined, now?: number): Awaitable<Deploy>;
  /** Deploys that started at or after `sinceTs`, oldest first; the newest `limit` when there are more. */
  list(sinceTs?: number, limit?: number): Deploy[];
}

export interface CaptureRecords {
  create(input: CreateCapture, createdBy: string | undefined, now?: number): Awaitable<Capture>;
  get(id: string): Awaitable<Capture | undefined>;
}
