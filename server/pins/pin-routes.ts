import { createPinSchema, type PinRate } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { ApiMount } from '../api/api-router.js';
import { notFound, route } from '../api/api-failure.js';
import { parseBody } from '../api/validate-body.js';
import type { Awaitable } from '../storage/record-stores.js';
import type { PinRateBucket } from './pin-counter.js';
import type { PinTracker } from './pin-tracker.js';
import { rateWindowStart } from './rate-window-query.js';

export interface PinRoutesDeps {
  pins: PinTracker;
  /** PinCounter on a single hub, SharedPinCounter in a cluster. */
  counter: { readonly bucketMs: number; rate(pinId: string, sinceTs: number): Awaitable<PinRateBucket[]> };
  logger: Logger;
  now(): number;
  retentionMs: number;
}

/**
 * /api/pins: list, create (201), delete (204) and the match rate of one pin. The token holder's
 * name, when tokens are configured, is recorded as `createdBy`.
 */
export function pinRoutes(deps: PinRoutesDeps): ApiMount {
  const { pins, counter, logger } = deps;
  return (router) => {
    router.get(
      '/pins',
      route(logger, (_req, res) => {
        res.json(pins.list());
      }),
    );

    router.post(
      '/pins',
      route(logger, async (req, res) => {
        const input = parseBody(createPinSchema, req.body);
        const pin = await pins.create(input, res.locals.viewer as string | undefined);
        logger.info({ pinId: pin.id, pin: pin.name, by: pin.createdBy }, 'pin created');
        res.status(201).location(`/api/pins/${pin.id}`).json(pin);
      }),
    );

    router.delete(
      '/pins/:id',
      route(logger, async (req, res) => {
        const id = String(req.params.id);
        const pin = await pins.delete(id);
        if (!pin) throw notFound('pin', id);
        logger.info({ pinId: pin.id, pin: pin.name, by: res.locals.viewer as string | undefined }, 'pin deleted');
        res.status(204).end();
      }),
    );

    router.get(
      '/pins/:id/rate',
      route(logger, async (req, res) => {
        const id = String(req.params.id);
        if (!pins.get(id)) throw notFound('pin', id);
        const since = rateWindowStart(req.query as Record<string, unknown>, deps.now(), deps.retentionMs);
        const answer: PinRate = { pinId: id, bucketMs: counter.bucketMs, buckets: await counter.rate(id, since) };
        res.json(answer);
      }),
    );
  };
}
