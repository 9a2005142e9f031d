import { captureMarkdown, createCaptureSchema, deploysWithin, type CaptureCreated, type Deploy } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { ApiMount } from '../api/api-router.js';
import { notFound, route } from '../api/api-failure.js';
import { parseBody } from '../api/validate-body.js';
import type { Redactor } from '../../lib/redaction/redactor.js';
import type { Awaitable, CaptureRecords } from '../storage/record-stores.js';
import { buildCapture } from '../storage/records.js';

export interface CaptureRoutesDeps {
  store: CaptureRecords;
  logger: Logger;
  now(): number;
  /** Applied to every posted line (and the title): a capture holds what the client sent, less its secrets. */
  redactor?: Pick<Redactor, 'redactLine'> | undefined;
  /** Deploy markers that started in [from, to], oldest first: a capture keeps those inside its lines' span. */
  deploysBetween?: ((from: number, to: number) => Awaitable<Deploy[]>) | undefined;
}

/**
 * /api/captures: save selected lines (201 with the id and the page to share), read one back as JSON
 * or as Markdown. The `url` answered is relative (`/captures/<id>`), resolved against the hub's
 * address by the client: behind a proxy the Host header does not say how users reach the hub.
 */
export function captureRoutes(deps: CaptureRoutesDeps): ApiMount {
  const { store, logger } = deps;
  return (router) => {
    router.post(
      '/captures',
      route(logger, async (req, res) => {
        const capture = buildCapture(parseBody(createCaptureSchema, req.body), res.locals.viewer as string | undefined, deps.now(), deps.redactor);
        const deploys = deps.deploysBetween && deploysWithin(capture.lines, await deps.deploysBetween(...spanOf(capture.lines)));
        if (deploys && deploys.length > 0) capture.deploys = deploys;
        await store.save(capture);
        logger.info({ captureId: capture.id, lines: capture.lines.length, by: capture.createdBy }, 'capture saved');
        const answer: CaptureCreated = { id: capture.id, url: `/captures/${capture.id}` };
        res.status(201).location(`/api/captures/${capture.id}`).json(answer);
      }),
    );

    // Registered before '/captures/:id', which would otherwise take "abc.md" as an id.
    router.get(
      '/captures/:id.md',
      route(logger, async (req, res) => {
        const id = String(req.params.id);
        const capture = await store.get(id);
        if (!capture) throw notFound('capture', id);
        res
          .type('text/markdown; charset=utf-8')
          .set('Content-Disposition', `inline; filename="capture-${capture.id}.md"`)
          .send(captureMarkdown(capture, `${req.protocol}://${req.get('host') ?? 'localhost'}/captures/${capture.id}`));
      }),
    );

    router.get(
      '/captures/:id',
      route(logger, async (req, res) => {
        const id = String(req.params.id);
        const capture = await store.get(id);
        if (!capture) throw notFound('capture', id);
        res.json(capture);
      }),
    );
  };
}

/** The earliest and latest received time of the lines. */
function spanOf(lines: ReadonlyArray<{ ts: number }>): [number, number] {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    first = Math.min(first, line.ts);
    last = Math.max(last, line.ts);
  }
  return [first, last];
}
