import { createDeploySchema, type DeployEvent } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { ApiMount } from '../api/api-router.js';
import { ApiFailure, route } from '../api/api-failure.js';
import { parseBody } from '../api/validate-body.js';
import type { DeployRecords } from '../storage/record-stores.js';
import { buildDeploy } from '../storage/records.js';

/** Most deploys one GET answers: the newest of the window. */
const MAX_DEPLOYS_LISTED = 1000;

export interface DeployRoutesDeps {
  store: DeployRecords;
  /** Tells every viewer, so live streams and graphs show the marker at once. */
  broadcast(event: DeployEvent): void;
  logger: Logger;
  now(): number;
}

function sinceParam(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) {
    throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', 'since: expected milliseconds since the Unix epoch');
  }
  return Number(value);
}

/** /api/deploys: post a marker (201, broadcast as a `deploy` message) and list them. */
export function deployRoutes(deps: DeployRoutesDeps): ApiMount {
  const { store, logger } = deps;
  return (router) => {
    router.get(
      '/deploys',
      route(logger, (req, res) => {
        res.json(store.list(sinceParam(req.query.since), MAX_DEPLOYS_LISTED));
      }),
    );

    router.post(
      '/deploys',
      route(logger, async (req, res) => {
        const deploy = buildDeploy(parseBody(createDeploySchema, req.body), res.locals.viewer as string | undefined, deps.now());
        await store.save(deploy);
        logger.info({ deployId: deploy.id, label: deploy.label, by: deploy.by, createdBy: deploy.createdBy }, 'deploy marked');
        deps.broadcast({ type: 'deploy', deploy });
        res.status(201).json(deploy);
      }),
    );
  };
}
