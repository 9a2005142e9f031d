/** Thrown by `withTimeout`: the page did not answer in time, which the benchmark reports as a stall. */
export class PageStalled extends Error {}

/**
 * `promise`, or a PageStalled error after `ms`. Every call into the page goes through this: a tab
 * that stops answering must end its run early, not hold the benchmark past its time bound.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PageStalled(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
