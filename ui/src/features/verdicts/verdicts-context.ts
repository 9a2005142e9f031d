import { createContext, useContext } from 'react';
import type { Verdict } from '../../../../protocol/index.js';
import type { VerdictsState } from '../../lib/api/verdict-store.js';
import { useStore, ValueStore, type Readable } from '../../lib/store.js';

const NONE = new ValueStore<VerdictsState>({ byDeploy: new Map(), alpha: undefined, error: undefined });

/** The session's verdicts, for rows deep in a stream (deploy dividers) that are not handed them. */
export const VerdictsContext = createContext<Readable<VerdictsState>>(NONE);

/** Every pin's verdict on one deploy; empty until the hub has sent some. */
export function useDeployVerdicts(deployId: string): readonly Verdict[] {
  return useStore(useContext(VerdictsContext)).byDeploy.get(deployId) ?? EMPTY;
}

const EMPTY: readonly Verdict[] = [];
