import { SEARCH_LIMITS } from '../../../protocol/index.js';

/**
 * Caps the searches and histograms running at once, on the hub and per viewer (a token's name, or
 * the client address on a hub without tokens): each one holds a slot until it ends.
 */
export class SearchSlots {
  private running = 0;
  private readonly perViewer = new Map<string, number>();

  constructor(
    private readonly maxPerHub: number = SEARCH_LIMITS.maxConcurrentPerHub,
    private readonly maxPerViewer: number = SEARCH_LIMITS.maxConcurrentPerViewer,
  ) {}

  /** A release function, or a message saying which cap is reached. */
  acquire(viewer: string): { release: () => void } | { refused: string } {
    const held = this.perViewer.get(viewer) ?? 0;
    if (held >= this.maxPerViewer) return { refused: `you already run ${held} searches on this hub, the most one viewer may; wait for one to end` };
    if (this.running >= this.maxPerHub) return { refused: `the hub already runs ${this.running} searches, the most it allows at once; try again shortly` };
    this.running += 1;
    this.perViewer.set(viewer, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running -= 1;
        const left = (this.perViewer.get(viewer) ?? 1) - 1;
        if (left > 0) this.perViewer.set(viewer, left);
        else this.perViewer.delete(viewer);
      },
    };
  }
}
