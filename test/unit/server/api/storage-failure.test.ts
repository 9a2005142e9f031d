import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storageFailure } from '../../../../server/api/storage-failure.js';

function sqliteError(code: string): Error {
  const err = new Database.SqliteError(`simulated ${code}`, code);
  return err;
}

describe('storage failures', () => {
  it.each([
    ['SQLITE_FULL', 507, /disk \(or database\) is full/],
    ['SQLITE_READONLY', 500, /read-only/],
    ['SQLITE_READONLY_DBMOVED', 500, /read-only/],
    ['SQLITE_BUSY', 503, /busy; try again/],
    ['SQLITE_IOERR_WRITE', 500, /database failed \(SQLITE_IOERR_WRITE\)/],
  ])('answers %s with %i', (code, status, message) => {
    const failure = storageFailure(new Error('save pin', { cause: sqliteError(code) }));
    expect(failure?.status).toBe(status);
    expect(failure?.sqliteCode).toBe(code);
    expect(failure?.message).toMatch(message);
  });

  it('leaves other errors alone', () => {
    expect(storageFailure(new Error('bug'))).toBeUndefined();
    expect(storageFailure(Object.assign(new Error('fs'), { code: 'ENOSPC' }))).toBeUndefined();
    expect(storageFailure('text')).toBeUndefined();
  });
});
