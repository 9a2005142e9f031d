import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Role } from '../../protocol/index.js';

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name')
  .transform((name) => name.toLowerCase());

/**
 * `proxyAuth`: believe the identity an authenticating reverse proxy (oauth2-proxy, an nginx
 * `auth_request` setup...) puts in request headers, from the addresses in `trustedProxies` only.
 */
export const proxyAuthSchema = z.strictObject({
  /** Header naming the authenticated user (oauth2-proxy: X-Forwarded-User). */
  userHeader: headerName.default('x-forwarded-user'),
  /** Header with the user's e-mail (oauth2-proxy: X-Forwarded-Email); names the user when userHeader is absent. */
  emailHeader: headerName.optional(),
  /** Header with the user's groups, comma-separated (oauth2-proxy: X-Forwarded-Groups). */
  groupsHeader: headerName.optional(),
  /** Role of a user named in no list below: "viewer", "editor", or "none" to refuse them. */
  defaultRole: z.enum(['viewer', 'editor', 'none']).default('viewer'),
  /** Users (names or e-mails, any case) who are editors. */
  editors: z.array(z.string().min(1)).default([]),
  /** Users who are viewers (useful with defaultRole "none"). */
  viewers: z.array(z.string().min(1)).default([]),
  /** Groups whose members are editors. */
  editorGroups: z.array(z.string().min(1)).default([]),
  /** Groups whose members are viewers. */
  viewerGroups: z.array(z.string().min(1)).default([]),
});

export type ProxyAuthConfig = z.output<typeof proxyAuthSchema>;

/** What the identity headers of one request say. */
export type ProxyIdentity =
  | { kind: 'absent' }
  | { kind: 'user'; name: string; role: Role }
  | { kind: 'refused'; message: string };

/** Longest user name, e-mail or group list believed; longer ones are refused, not cut. */
const MAX_VALUE_LENGTH = 1024;
/** Control characters, and a comma: Node joins repeated headers with ", ", so a comma in a user name means two values. */
const UNACCEPTABLE = /[\u0000-\u001f\u007f,]/;

function single(headers: IncomingHttpHeaders, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = headers[name];
  if (Array.isArray(value)) return value.join(', ');
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** True when any of the headers that carry an identity is present: such a request must come from a trusted proxy. */
export function hasIdentityHeaders(headers: IncomingHttpHeaders, config: ProxyAuthConfig): boolean {
  return [config.userHeader, config.emailHeader, config.groupsHeader].some((name) => name !== undefined && headers[name] !== undefined);
}

/**
 * The user and role named by the identity headers of a request that came from a trusted proxy.
 * Role: editor when the user or one of their groups is listed as an editor, else viewer when listed
 * as a viewer, else `defaultRole`; "none" refuses them.
 */
export function proxyIdentity(headers: IncomingHttpHeaders, config: ProxyAuthConfig): ProxyIdentity {
  const user = single(headers, config.userHeader);
  const email = single(headers, config.emailHeader);
  const groupsText = single(headers, config.groupsHeader);
  if (user === undefined && email === undefined) {
    return groupsText === undefined ? { kind: 'absent' } : { kind: 'refused', message: `a groups header came without ${config.userHeader}` };
  }
  for (const value of [user, email]) {
    if (value !== undefined && (value.length > MAX_VALUE_LENGTH || UNACCEPTABLE.test(value))) {
      return { kind: 'refused', message: 'the identity header holds more than one value or characters a user name cannot have' };
    }
  }
  if (groupsText !== undefined && groupsText.length > MAX_VALUE_LENGTH * 8) {
    return { kind: 'refused', message: 'the groups header is too long' };
  }
  const names = [user, email].filter((value): value is string => value !== undefined).map((value) => value.toLowerCase());
  const groups = (groupsText ?? '')
    .split(',')
    .map((group) => group.trim().toLowerCase())
    .filter(Boolean);
  const listed = (list: readonly string[], values: readonly string[]) => list.some((entry) => values.includes(entry.toLowerCase()));
  let role: Role | 'none' = config.defaultRole;
  if (listed(config.editors, names) || listed(config.editorGroups, groups)) role = 'editor';
  else if (listed(config.viewers, names) || listed(config.viewerGroups, groups)) role = 'viewer';
  const name = (user ?? email)!;
  if (role === 'none') return { kind: 'refused', message: `${name} has no role on this hub (proxyAuth.defaultRole is "none")` };
  return { kind: 'user', name, role };
}
