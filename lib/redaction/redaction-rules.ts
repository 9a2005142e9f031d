import { findCardNumber } from './card-number.js';

/**
 * One redaction rule. The pattern is RE2 syntax; when it has a group named `secret`
 * (`(?P<secret>...)`), only that group is replaced, so `token=` stays readable and only the value
 * becomes `[REDACTED]`; otherwise the whole match is.
 */
export interface RedactionRule {
  /** Names the rule in /metrics (`supergrep_redactions_total{rule}`) and in `redaction.disable`. */
  name: string;
  pattern: string;
  /** Literal text put in place of the secret. */
  replacement: string;
  /**
   * A second look at what the pattern found (the secret group, or the whole match), by name (see
   * REFINERS): rules are plain data, so a hub can hand them to its agents.
   */
  refine?: RefinerName;
}

/**
 * Second looks a rule may ask for: each returns the part of what the pattern found that really is a
 * secret, as [start, end) within it, or undefined to leave it alone.
 */
export const REFINERS = {
  'card-number': findCardNumber,
} satisfies Record<string, (secret: string) => [number, number] | undefined>;

export type RefinerName = keyof typeof REFINERS;

/**
 * Names the behaviour of the code that applies rules (the Redactor and the REFINERS). Bump it with
 * any change to what that code replaces for given rules: an agent redacts for its hub only when both
 * agree on the rules and on this (see redaction-offer.ts).
 */
export const REDACTION_ENGINE_VERSION = 1;

export const DEFAULT_REPLACEMENT = '[REDACTED]';

/**
 * Characters a secret value stops at. Quotes and backslashes are among them so that a value inside
 * JSON (a log line, or the hub's own JSON logs) is cut before the closing quote or an escape, and
 * redacting never breaks the JSON around it.
 */
const VALUE = `[^\\s"'&,;\\\\]+`;
/** `key=value`, `key: value`, `"key": "value"`. */
const ASSIGN = `["']?\\s*[:=]\\s*["']?`;

/**
 * The built-in rules; each can be turned off by name (`redaction.disable` in the config file).
 * Patterns are matched on one line at a time, case-insensitively where the text is a word people
 * spell in any case.
 */
export const DEFAULT_RULES: readonly RedactionRule[] = [
  {
    // Authorization: Bearer <token>; the word alone ("bearer token") is left: 8+ token characters.
    name: 'bearer-token',
    pattern: `(?i)\\bbearer\\s+(?P<secret>[A-Za-z0-9._~+/-]{8,}=*)`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'basic-auth',
    pattern: `(?i)\\bauthorization${ASSIGN}basic\\s+(?P<secret>[A-Za-z0-9+/]{4,}={0,2})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // api_key=..., apikey: ..., X-Api-Key: ..., aws_secret_access_key=..., "private_key": "..."
    name: 'api-key',
    pattern: `(?i)\\b[a-z0-9_.-]*(?:api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key)${ASSIGN}(?P<secret>${VALUE})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // token=..., access_token=..., csrf-token: ..., "refresh_token": "..." (not max_tokens=5)
    name: 'token',
    pattern: `(?i)\\b[a-z0-9_.-]*token${ASSIGN}(?P<secret>${VALUE})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // password=..., passwd: ..., pwd=..., client_secret=...
    name: 'password',
    pattern: `(?i)\\b[a-z0-9_.-]*(?:password|passwd|pwd|secret)${ASSIGN}(?P<secret>${VALUE})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // scheme://user:PASSWORD@host; an unencoded '@' cannot be part of a URL's password.
    name: 'url-password',
    pattern: `(?i)\\b[a-z][a-z0-9+.-]*://[^\\s:/?#@"'<>\\\\]*:(?P<secret>[^\\s/?#@"'<>\\\\]+)@`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // AWS access key ids: long-term (AKIA), temporary (ASIA) and the rarer ABIA/ACCA.
    name: 'aws-access-key-id',
    pattern: `\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // Stripe-style secret and restricted keys: sk_live_..., rk_test_...
    name: 'secret-key-prefix',
    pattern: `\\b[rs]k_(?:live|test)_[0-9A-Za-z]{10,}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'github-token',
    pattern: `\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'slack-token',
    pattern: `\\bxox[abposr]-[A-Za-z0-9-]{10,}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'google-api-key',
    pattern: `\\bAIza[0-9A-Za-z_-]{35}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // header.payload.signature, both JSON parts base64url of '{"'.
    name: 'jwt',
    pattern: `\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // 13-19 digits, plain or in groups (4-4-4-4, 4-4-4-4-3, 4-6-5 ...); replaced only when a run of
    // whole groups passes the Luhn check with an issuer's first digit (see findCardNumber).
    name: 'card-number',
    pattern: `\\b(?:[2-6]\\d{12,18}|\\d{4}(?:[ -]\\d{4}){2}(?:[ -]\\d{1,4}){1,2}|\\d{4}[ -]\\d{6}[ -]\\d{4,5})\\b`,
    replacement: DEFAULT_REPLACEMENT,
    refine: 'card-number',
  },
];
