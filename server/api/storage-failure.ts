/** What an API client is told about a database error. */
export interface StorageFailure {
  status: number;
  message: string;
  /** SQLite's extended result code, e.g. SQLITE_FULL, SQLITE_IOERR_WRITE. */
  sqliteCode: string;
}

function sqliteCode(err: unknown): string | undefined {
  // Walk the cause chain: the stores' callers wrap errors with context.
  for (let current = err, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (current.name === 'SqliteError' && typeof code === 'string') return code;
  }
  return undefined;
}

/** True for a JetStream store that could not be reached (server/cluster/kv-stores.ts), anywhere in the cause chain. */
function sharedStoreDown(err: unknown): boolean {
  for (let current = err, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    if (current.name === 'SharedStoreUnavailable') return true;
  }
  return false;
}

/**
 * Classifies a better-sqlite3 error (or a cluster's shared store that cannot be reached: 503). A full disk is 507 Insufficient Storage (the client may retry
 * once space is freed); a read-only, locked or damaged database is 500. Undefined for other errors.
 */
export function storageFailure(err: unknown): StorageFailure | undefined {
  if (sharedStoreDown(err)) {
    return { status: 503, sqliteCode: 'NATS_UNAVAILABLE', message: 'the hubs\u2019 shared store (NATS JetStream) cannot be reached; try again' };
  }
  const code = sqliteCode(err);
  if (code === undefined) return undefined;
  if (code === 'SQLITE_FULL') {
    return { status: 507, sqliteCode: code, message: 'the hub could not save this: its disk (or database) is full' };
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return { status: 500, sqliteCode: code, message: 'the hub could not save this: its database is read-only' };
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { status: 503, sqliteCode: code, message: 'the hub\u2019s database is busy; try again' };
  }
  return { status: 500, sqliteCode: code, message: `the hub\u2019s database failed (${code}); see the hub\u2019s log` };
}
