/**
 * How often the built-in redaction rules change a line that holds no secret, on the demo's logs:
 * the lines `supergrep demo` writes (cli/demo-runner.ts: two hosts, lib/log-generator.ts with a 2%
 * error rate, two access lines for every application event), with a few lines that do hold a secret
 * planted among them. The body of every batch goes through the redactor as the hub's does
 * (Redactor.redactBody, 512 KiB batches); a changed line that is not a planted one is a false
 * positive, and every planted line must change. Lines without secrets are the demo's own; no
 * timing is measured.
 */
import { LogGenerator } from '../lib/log-generator.js';
import { luhnValid } from '../lib/redaction/card-number.js';
import { DEFAULT_RULES } from '../lib/redaction/redaction-rules.js';
import { Redactor } from '../lib/redaction/redactor.js';
import { seededRandom } from '../lib/seeded-random.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';

/** Events per host, as the demo writes them: every third an application event, the rest access lines. */
const EVENTS_PER_HOST = 300_000;
const HOSTS = ['web-1', 'web-2'];
/** Demo generators run with this share of errors (cli/demo-runner.ts). */
const ERROR_RATE = 0.02;
/** One line in this many is a planted secret line. */
const PLANT_EVERY = 997;
const BATCH_BYTES = 512 * 1024;
/** At most this share of the demo's own lines may change. */
const MAX_FALSE_POSITIVE_RATE = 0.0001;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Lines with a secret in a form the built-in rules know, random each time. */
function secretPlanter(random: () => number): () => string {
  const chars = (count: number, alphabet = ALPHANUMERIC) => Array.from({ length: count }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const card = () => {
    for (;;) {
      const digits = `4${chars(15, '0123456789')}`;
      if (luhnValid(digits)) return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
    }
  };
  const forms: Array<() => string> = [
    () => `GET /api/orders Authorization: Bearer ${chars(32)} status=200`,
    () => `user signed in user_id=${chars(6, '0123456789')} password=${chars(12)}`,
    () => `boto3 using credentials AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')} for s3`,
    () => `payment accepted card=${card()} amount=12.00`,
    () => `{"level":"info","msg":"config","api_key":"${chars(24)}"}`,
    () => `db connect postgres://app:${chars(14)}@db.internal:5432/orders`,
  ];
  return () => forms[Math.floor(random() * forms.length)]!();
}

interface Line {
  text: string;
  planted: boolean;
}

/** The demo's lines for both hosts, interleaved as the demo writes them, with secrets planted. */
function demoLines(): Line[] {
  const plant = secretPlanter(seededRandom(7));
  const generators = HOSTS.map((host, index) => new LogGenerator(host, index + 1, ERROR_RATE));
  const lines: Line[] = [];
  let ms = Date.UTC(2026, 11, 7, 12, 0, 0);
  for (let event = 0; event < EVENTS_PER_HOST; event += 1) {
    ms += 3;
    const now = new Date(ms);
    for (const generator of generators) {
      const texts = event % 3 === 2 ? generator.appLines(now) : [generator.accessLine(now)];
      for (const text of texts) {
        lines.push({ text, planted: false });
        if (lines.length % PLANT_EVERY === 0) lines.push({ text: plant(), planted: true });
      }
    }
  }
  return lines;
}

/** Runs `lines` through the redactor in batches; returns the indexes of the lines it changed. */
function changedLines(lines: readonly Line[]): Set<number> {
  const redactor = new Redactor(DEFAULT_RULES);
  const changed = new Set<number>();
  let first = 0;
  while (first < lines.length) {
    let end = first;
    let bytes = 0;
    while (end < lines.length && bytes < BATCH_BYTES) {
      bytes += Buffer.byteLength(lines[end]!.text) + 1;
      end += 1;
    }
    const batch = lines.slice(first, end).map((line) => line.text);
    const redacted = redactor.redactBody(Buffer.from(batch.map((text) => `${text}\n`).join('')), undefined);
    if (redacted !== undefined) {
      const out = redacted.body.toString('utf8').split('\n');
      batch.forEach((text, index) => {
        if (out[index] !== text) changed.add(first + index);
      });
    }
    first = end;
  }
  return changed;
}

export async function runRedactionFalsePositives(): Promise<BenchResult> {
  const result = new ResultBuilder('redaction-false-positives');
  const lines = demoLines();
  const changed = changedLines(lines);
  const planted = lines.filter((line) => line.planted).length;
  const own = lines.length - planted;
  const falsePositives = [...changed].filter((index) => !lines[index]!.planted);
  const caught = [...changed].filter((index) => lines[index]!.planted).length;
  const rate = own === 0 ? 0 : falsePositives.length / own;
  result.lowerIsBetter('demo lines changed (false positives)', falsePositives.length, 'lines', undefined, `of ${own} lines without secrets`);
  result.lowerIsBetter('false-positive rate', rate * 100, '%');
  result.higherIsBetter('planted secret lines redacted', planted === 0 ? 100 : (caught / planted) * 100, '%', undefined, `${caught} of ${planted}`);
  result.target('false-positive rate', rate, MAX_FALSE_POSITIVE_RATE, true);
  result.target('planted secret lines redacted (share)', planted === 0 ? 1 : caught / planted, 1, false);
  result.details.data = { linesScanned: lines.length, demoLines: own, planted, linesChanged: changed.size, falsePositives: falsePositives.length, caught };
  // The lines themselves, to see what a rule took for a secret.
  result.details.falsePositiveSamples = falsePositives.slice(0, 20).map((index) => lines[index]!.text);
  console.log(`  lines scanned ${lines.length}, changed ${changed.size} (planted secrets ${caught} of ${planted}), false positives ${falsePositives.length} of ${own} = ${(rate * 100).toFixed(4)} %`);
  return Promise.resolve(result.finish());
}
