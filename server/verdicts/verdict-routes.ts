import type { Logger } from '../../lib/logger.js';
import type { ApiMount } from '../api/api-router.js';
import { notFound, route } from '../api/api-failure.js';
import type { VerdictBoard } from './verdict-board.js';

export interface VerdictRoutesDeps {
  board: Pick<VerdictBoard, 'deployVerdicts'>;
  logger: Logger;
}

/** GET /api/deploys/:id/verdicts: every pin's verdict on one deploy (DeployVerdicts). */
export function verdictRoutes(deps: VerdictRoutesDeps): ApiMount {
  const { board, logger } = deps;
  return (router) => {
    router.get(
      '/deploys/:id/verdicts',
      route(logger, async (req, res) => {
        const id = String(req.params.id);
        const answer = await board.deployVerdicts(id);
        if (!answer) throw notFound('deploy', id);
        res.json(answer);
      }),
    );
  };
}
