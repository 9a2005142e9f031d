/** Where agents connect on a hub. */
const AGENT_SOCKET_PATH = '/ws/agent';

/**
 * The agent socket URL for a configured hub: `ws://host:7070` becomes `ws://host:7070/ws/agent`; a
 * URL that already has a path (a hub behind a proxy prefix, say) is used as given.
 */
export function agentSocketUrl(hub: string): string {
  const url = new URL(hub);
  if (url.pathname === '/' || url.pathname === '') url.pathname = AGENT_SOCKET_PATH;
  return url.toString();
}

/** The URL without any user name or password in it, for logs. */
export function displayUrl(hub: string): string {
  try {
    const url = new URL(hub);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    // Config validation already checked the URL; an unparsable one is shown only as a placeholder.
    return '<invalid url>';
  }
}
