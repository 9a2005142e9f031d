/**
 * Realistic web-application log lines for the demo, the benchmarks and tests: access lines with
 * `status=` and `rt=` fields, application lines with levels, occasional errors with stack traces,
 * JSON lines and ANSI-coloured worker output. Deterministic for a given seed.
 */
import { seededRandom } from './seeded-random.js';

const PATHS = ['/', '/search', '/listing/{id}/handmade-mug', '/listing/{id}/vintage-lamp', '/cart', '/checkout', '/api/v3/favorites', '/shop/{id}', '/static/app.{id}.js'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', 'Mozilla/5.0 (Macintosh) Safari/605.1.15', 'EtsyMobile/7.2 (iOS 19)', 'curl/8.11.1'];
const SERVICES = ['checkout', 'search', 'payments', 'listings', 'auth', 'images'];
const INFO = ['order placed order_id={id} user_id={id} total={money} currency=USD', 'cache refresh keys={n} took_ms={n}', 'user signed in user_id={id} method=password', 'listing updated listing_id={id} fields=price,quantity', 'search served q="{word}" results={n} took_ms={n}'];
const WARN = ['slow query took_ms={slow} table=listings', 'retrying upstream call attempt=2 service=images', 'rate limit close for api_key_id={id} used={n}/1000'];
const ERRORS = ['charge failed: card_declined order_id={id}', 'upstream timeout after 3000ms service=images', 'NullPointerException while rendering listing_id={id}', 'database connection reset (ECONNRESET) pool=primary'];
const WORDS = ['vintage lamp', 'ceramic mug', 'knitted scarf', 'oak table', 'silver ring'];

export class LogGenerator {
  private readonly random: () => number;

  constructor(
    private readonly host: string,
    seed = 1,
    /** Share of lines that are errors (the rest split between info and warnings). */
    private readonly errorRate = 0.01,
  ) {
    this.random = seededRandom(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private fill(template: string): string {
    return template
      .replace(/\{id\}/g, () => String(1000 + Math.floor(this.random() * 900000)))
      .replace(/\{n\}/g, () => String(Math.floor(this.random() * 2000)))
      .replace(/\{slow\}/g, () => String(800 + Math.floor(this.random() * 4000)))
      .replace(/\{money\}/g, () => (this.random() * 200).toFixed(2))
      .replace(/\{word\}/g, () => this.pick(WORDS));
  }

  /** One access-log line. Server errors (5xx) come at `errorRate`. */
  accessLine(now: Date): string {
    const roll = this.random();
    const status = roll < this.errorRate ? this.pick([500, 502, 503, 504]) : roll < 0.05 ? this.pick([301, 304, 404]) : 200;
    const path = this.fill(this.pick(PATHS));
    const rt = (status >= 500 ? 1 + this.random() * 3 : this.random() * 0.3).toFixed(3);
    const ip = `10.0.${Math.floor(this.random() * 8)}.${Math.floor(this.random() * 250) + 2}`;
    return `${now.toISOString()} ${this.host} nginx: ${ip} "${this.pick(METHODS)} ${path} HTTP/1.1" status=${status} bytes=${Math.floor(this.random() * 40000)} rt=${rt} ua="${this.pick(AGENTS)}"`;
  }

  /** One application event: usually one line, an error sometimes comes with its stack trace. */
  appLines(now: Date): string[] {
    const ts = now.toISOString();
    const service = this.pick(SERVICES);
    const roll = this.random();
    if (roll < this.errorRate) {
      const lines = [`${ts} ERROR [${service}] ${this.fill(this.pick(ERRORS))}`];
      if (this.random() < 0.5) {
        lines.push(
          `    at ${capitalize(service)}Service.handle (/srv/app/${service}/service.js:${40 + Math.floor(this.random() * 200)}:13)`,
          `    at Router.dispatch (/srv/app/node_modules/router/index.js:284:7)`,
          `    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
        );
      }
      return lines;
    }
    if (roll < this.errorRate + 0.04) return [`${ts} WARN  [${service}] ${this.fill(this.pick(WARN))}`];
    if (roll < this.errorRate + 0.08) {
      return [JSON.stringify({ ts, level: 'info', service, msg: 'request metrics', p50_ms: Math.floor(this.random() * 40), p99_ms: Math.floor(this.random() * 900), rps: Math.floor(this.random() * 500) })];
    }
    if (roll < this.errorRate + 0.1) return [`${ts} \u001b[32mINFO\u001b[0m  [worker] job \u001b[1mthumbnail\u001b[0m done in ${Math.floor(this.random() * 900)}ms`];
    return [`${ts} INFO  [${service}] ${this.fill(this.pick(INFO))}`];
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
