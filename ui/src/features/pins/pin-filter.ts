import type { FilterSpec, Pin } from '../../../../protocol/index.js';

/** The filter a pin counts (its fields without name, id and authorship). */
export function pinFilter(pin: Pin): FilterSpec {
  const filter: FilterSpec = { query: pin.query };
  if (pin.exclude) filter.exclude = pin.exclude;
  if (pin.caseInsensitive) filter.caseInsensitive = true;
  if (pin.hosts?.length) filter.hosts = [...pin.hosts];
  if (pin.files?.length) filter.files = [...pin.files];
  if (pin.namespaces?.length) filter.namespaces = [...pin.namespaces];
  if (pin.pods?.length) filter.pods = [...pin.pods];
  if (pin.containers?.length) filter.containers = [...pin.containers];
  return filter;
}
