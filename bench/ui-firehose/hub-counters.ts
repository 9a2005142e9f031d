/**
 * The hub's own account of what it did for the page: lines its filters matched and lines it had to
 * drop because the page read too slowly (its Prometheus counters, summed over their labels). A fresh
 * hub per run, so the totals are the run's.
 */
export interface HubCounters {
  matched: number;
  dropped: number;
}

function sumCounter(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    // The name alone or with labels; not a longer metric that merely starts with it.
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    total += Number(rest.slice(rest.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

export async function readHubCounters(hubUrl: string): Promise<HubCounters> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  return { matched: sumCounter(text, 'supergrep_lines_matched_total'), dropped: sumCounter(text, 'supergrep_client_dropped_lines_total') };
}
