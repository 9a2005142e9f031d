import { createCaptureSchema, type CaptureCreated } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { ApiMount } from '../api/api-router.js';
import { notFound, route } from '../api/api-failure.js';
import { parseBody } from '../api/validate-body.js';
import type { Redactor } from '../../lib/redaction/redactor.js';
import type { CaptureRecords } from '../storage/record-stores.js';
import { buildCapture } from '../storage/records.js';
import { captureMarkdown } from './capture-markdown.js';

export interface CaptureRoutesDeps {
  store: CaptureRecords;
  logger: Logger;
  now(): number;
  /** Applied to every posted line (and the title): a capture holds what the client sent, less its secrets. */
  redactor?: Pick<Redactor, 'redactLine'> | undefined;
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
          .send(captureMarkdown(capture));
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
