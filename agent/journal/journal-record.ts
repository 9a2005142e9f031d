import { z } from 'zod';

/**
 * One field's value in `journalctl -o json`: a string, an array of bytes when the value is not valid
 * UTF-8 or holds control characters, null when it is too large to show (without `--all`), or an
 * array of these when the field occurs more than once in the entry.
 */
const valueSchema = z.union([z.string(), z.array(z.number().int().min(0).max(255)), z.null()]);
const fieldSchema = z.union([valueSchema, z.array(valueSchema)]);
type FieldValue = z.infer<typeof fieldSchema>;

/** The fields of a journal entry the agent reads; journalctl's others are dropped. */
const journalRecordSchema = z.object({
  /** Where the entry is in the journal: `journalctl --after-cursor` resumes right after it. */
  __CURSOR: z.string().min(1).max(4096),
  /** Microseconds since the epoch, as a decimal string. */
  __REALTIME_TIMESTAMP: z.string().regex(/^\d{1,20}$/).optional(),
  MESSAGE: fieldSchema.optional(),
  PRIORITY: fieldSchema.optional(),
  _HOSTNAME: fieldSchema.optional(),
  SYSLOG_IDENTIFIER: fieldSchema.optional(),
  _SYSTEMD_UNIT: fieldSchema.optional(),
  _COMM: fieldSchema.optional(),
  _PID: fieldSchema.optional(),
});
export type JournalRecord = z.infer<typeof journalRecordSchema>;

/** The fields journalctl is asked for (`--output-fields`; it adds the cursor and timestamps itself). */
export const JOURNAL_FIELDS = ['MESSAGE', 'PRIORITY', '_HOSTNAME', 'SYSLOG_IDENTIFIER', '_SYSTEMD_UNIT', '_COMM', '_PID'] as const;

/** One line of `journalctl -o json` as a record, or why it is not one. */
export function parseJournalLine(text: string): { record: JournalRecord } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = journalRecordSchema.safeParse(raw);
  if (!parsed.success) return { error: z.prettifyError(parsed.error) };
  return { record: parsed.data };
}

/**
 * A field's text: byte arrays are decoded as UTF-8 with invalid sequences replaced by U+FFFD; of a
 * field that occurs more than once, the first value that has text. Undefined when absent or null.
 */
export function fieldText(value: FieldValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value.length === 0 || typeof value[0] === 'number') return Buffer.from(value as number[]).toString('utf8');
  for (const item of value as Array<string | number[] | null>) {
    const text = fieldText(item);
    if (text !== undefined) return text;
  }
  return undefined;
}
