import type { Capture, CreateCapture, CreateDeploy, CreatePin, Deploy, Pin } from '../../protocol/index.js';
import type { Redactor } from '../../lib/redaction/redactor.js';
import { ApiFailure } from '../api/api-failure.js';
import { newId } from './ids.js';

/**
 * The one place a pin, deploy marker or capture is made from its validated request body: its id,
 * timestamps, defaults and normalization. The stores (SQLite on one hub, JetStream in a cluster:
 * record-stores.ts) only save and load what is built here, so both keep the same records.
 */

/** Pins and deploys are listed, so any unique id will do; a capture's id is its permalink: 82 bits, unguessable. */
const PIN_ID_LENGTH = 12;
const DEPLOY_ID_LENGTH = 12;
const CAPTURE_ID_LENGTH = 16;

/** A new pin: the posted name and filter fields as they are, `createdBy` only when known. */
export function buildPin(input: CreatePin, createdBy: string | undefined, now: number): Pin {
  return { ...input, id: newId(PIN_ID_LENGTH), createdAt: now, ...(createdBy ? { createdBy } : {}) };
}

/**
 * A new deploy marker; `startedAt` defaults to now. Throws ApiFailure (400) when it would finish
 * before it started. Empty `by` and `url` are left out.
 */
export function buildDeploy(input: CreateDeploy, createdBy: string | undefined, now: number): Deploy {
  const startedAt = input.startedAt ?? now;
  if (input.finishedAt !== undefined && input.finishedAt < startedAt) {
    throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', 'finishedAt: must not be before startedAt');
  }
  return {
    id: newId(DEPLOY_ID_LENGTH),
    label: input.label,
    startedAt,
    createdAt: now,
    ...(input.by ? { by: input.by } : {}),
    ...(input.url ? { url: input.url } : {}),
    ...(input.finishedAt !== undefined ? { finishedAt: input.finishedAt } : {}),
    ...(input.windowMs !== undefined ? { windowMs: input.windowMs } : {}),
    ...(createdBy ? { createdBy } : {}),
  };
}

/**
 * A new capture. With a redactor, the title and every line go through it: a capture holds what the
 * client sent, less its secrets (lines pasted or edited in a page never went through the hub's
 * redaction).
 */
export function buildCapture(
  input: CreateCapture,
  createdBy: string | undefined,
  now: number,
  redactor?: Pick<Redactor, 'redactLine'> | undefined,
): Capture {
  const content = redactor
    ? { ...input, title: redactor.redactLine(input.title), lines: input.lines.map((line) => ({ ...line, line: redactor.redactLine(line.line) })) }
    : input;
  return { ...content, id: newId(CAPTURE_ID_LENGTH), createdAt: now, ...(createdBy ? { createdBy } : {}) };
}
