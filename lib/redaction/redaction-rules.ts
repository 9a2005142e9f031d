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
export const REDACTION_ENGINE_VERSION = 2;

export const DEFAULT_REPLACEMENT = '[REDACTED]';

/** Whitespace, the Unicode spaces RE2's `\s` leaves out (no-break space...) included. */
const SPACE = `[\\s\\p{Z}]`;
/** Between a scheme and its credentials: spaces, or a space URL-encoded (`%20`, `+`). */
const GAP = `(?:${SPACE}|%20|\\+)+`;
/** A quote around a key or a value: plain, backslash-escaped (JSON inside JSON) or URL-encoded. */
const QUOTE = `(?:\\\\*["']|%2[27])`;
/** `key=value`, `key: value`, `"key": "value"`, `'key' => 'value'`, `key := value`, `key%3Dvalue`. */
const ASSIGN = `${QUOTE}?${SPACE}*(?:=>|:=|[:=]|%3[AaDd])${SPACE}*`;
/**
 * Characters of an unquoted value. Quotes and backslashes end it so that a value inside JSON (a log
 * line, or the hub's own JSON logs) is cut before the closing quote or an escape, and redacting
 * never breaks the JSON around it.
 */
const VALUE_CHAR = `[^\\s\\p{Z}"'&,;\\\\]`;
/**
 * The value after ASSIGN: all of a quoted string, spaces included (`password="two words"`), to the
 * end of the line when the quote is never closed (a line cut short); or a run of VALUE_CHAR.
 */
const VALUE = `(?:\\\\*"(?P<secret>[^"\\\\]+)(?:\\\\*"|$)|\\\\*'(?P<secret2>[^'\\\\]+)(?:\\\\*'|$)|${QUOTE}?(?P<secret3>${VALUE_CHAR}+))`;
/** Before a value-less secret (a key id, a card number): anything but a letter or digit, or nothing. */
const NOT_ALNUM_BEFORE = `(?:^|[^A-Za-z0-9])`;

/**
 * The built-in rules; each can be turned off by name (`redaction.disable` in the config file).
 * Patterns are matched on one line at a time, case-insensitively where the text is a word people
 * spell in any case. docs/security.md lists what each one finds.
 */
export const DEFAULT_RULES: readonly RedactionRule[] = [
  {
    // Authorization: Bearer <token>, also URL-encoded; the word alone ("bearer token") is left: 8+ token characters.
    name: 'bearer-token',
    pattern: `(?i)\\bbearer${GAP}(?P<secret>[A-Za-z0-9._~+/%-]{8,}=*)`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'basic-auth',
    pattern: `(?i)\\bauthorization${ASSIGN}${QUOTE}?basic${GAP}(?P<secret>[A-Za-z0-9+/%]{4,}={0,2})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // Authorization with another scheme (Token, ApiKey, HMAC...), or a bare credential of 12+
    // characters; Bearer and Basic are the rules above.
    name: 'authorization-header',
    pattern:
      `(?i)\\b(?:proxy-)?authorization${ASSIGN}${QUOTE}?(?:` +
      `(?:token|apikey|api-key|key|sso-key|hmac|hmac-sha256|aws4-hmac-sha256|signature|negotiate|ntlm|dpop|mac|jwt|otp|splunk|gensecauth|session)${GAP}(?P<secret>[^\\s\\p{Z}"'\\\\]+)` +
      `|(?P<secret2>[^\\s\\p{Z}"'\\\\]{12,}))`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // api_key=..., apikey: ..., X-Api-Key: ..., aws_secret_access_key=..., "private_key": "...", AccountKey=...
    name: 'api-key',
    pattern: `(?i)\\b[a-z0-9_.-]*(?:api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|account[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|client[_-]?key|auth[_-]?key|license[_-]?key)${ASSIGN}${VALUE}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // token=..., access_token=..., csrf-token: ..., "refresh_token": "..." (not max_tokens=5)
    name: 'token',
    pattern: `(?i)\\b[a-z0-9_.-]*token${ASSIGN}${VALUE}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // password=..., passwd: ..., pwd=..., pw=..., db_pass=..., client_secret=... (not bypass=, pass=)
    name: 'password',
    pattern: `(?i)\\b(?:[a-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret)|(?:[a-z0-9_.-]*[_.-])?pw|[a-z0-9_.-]*[_.-]pass)${ASSIGN}${VALUE}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // A password given as a command-line flag: mysql -pSECRET, --password SECRET.
    name: 'cli-password',
    pattern: `\\b(?i:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb|mariadb-dump)\\b[^\\n]*?[ \\t]-p(?P<secret>[^\\s\\p{Z}"'\\\\]+)|(?:^|${SPACE})--?(?i:password|passwd|pass|pw)[ \\t]+(?P<secret2>[^\\s\\p{Z}"'\\\\-][^\\s\\p{Z}"'\\\\]*)`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // Cookie: / Set-Cookie: headers, every cookie in them; session ids: session_id=..., PHPSESSID=...,
    // JSESSIONID=..., connect.sid=..., _session=... (a bare session=... is left to custom rules).
    name: 'session-id',
    pattern:
      `(?i)(?:\\b(?:set-)?cookie${ASSIGN}(?:\\\\*"(?P<secret>[^"\\\\]+)(?:\\\\*"|$)|\\\\*'(?P<secret2>[^'\\\\]+)(?:\\\\*'|$)|${QUOTE}?(?P<secret3>[^\\s\\p{Z}"'\\\\]+(?:;[ \\t]*[^\\s\\p{Z}"'\\\\]+)*))` +
      `|\\b(?:[a-z0-9_.-]*(?:sess(?:ion)?[_-]?id|session[_-]?key|[_.-]session)|(?:[a-z0-9_.-]*[_.-])?sid)${ASSIGN}(?:\\\\*"(?P<secret4>[^"\\\\]+)(?:\\\\*"|$)|${QUOTE}?(?P<secret5>${VALUE_CHAR}+)))`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // scheme://user:PASSWORD@host. The password runs to the last '@' before the path, so one
    // holding an unencoded '@' (p@ss) is hidden whole.
    name: 'url-password',
    pattern: `(?i)\\b[a-z][a-z0-9+.-]*://[^\\s:/?#@"'<>\\\\]*:(?P<secret>[^\\s/?#"'<>\\\\]+)@`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // AWS access key ids: long-term (AKIA), temporary (ASIA) and the rarer ABIA/ACCA; also glued
    // after a lower-case word or '_' (key_AKIA...).
    name: 'aws-access-key-id',
    pattern: `(?:^|[^A-Z0-9])(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // Stripe-style secret and restricted keys (sk_live_..., rk_test_...), webhook secrets (whsec_),
    // OpenAI-style keys (sk-..., sk-proj-...).
    name: 'secret-key-prefix',
    pattern: `\\b(?:[rs]k_(?:live|test)_[0-9A-Za-z]{10,}|whsec_[0-9A-Za-z]{20,}|sk-[A-Za-z0-9_-]{20,})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'github-token',
    pattern: `\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // Tokens, and incoming-webhook URLs, which are credentials themselves.
    name: 'slack-token',
    pattern: `\\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    name: 'google-api-key',
    pattern: `\\bAIza[0-9A-Za-z_-]{35}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // Other well-known token formats: Google OAuth (ya29.), GitLab (glpat-), npm, SendGrid,
    // Shopify, DigitalOcean, PyPI, Hugging Face.
    name: 'service-token',
    pattern: `\\b(?:ya29\\.[0-9A-Za-z_-]{20,}|glpat-[0-9A-Za-z_-]{20,}|npm_[A-Za-z0-9]{36}|SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|dop_v1_[a-f0-9]{64}|pypi-AgE[A-Za-z0-9_-]{50,}|hf_[A-Za-z0-9]{30,})`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // header.payload.signature, both JSON parts base64url of '{"'.
    name: 'jwt',
    pattern: `\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // A PEM private key: its header and, when it is on the same line (JSON with "\n" escapes), the
    // body and footer. A key logged over several lines keeps its body lines (docs/security.md).
    name: 'private-key',
    pattern: `-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=]|\\\\[rn])*(?:(?:[A-Za-z0-9+/=\\s]|\\\\[rn])*-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----)?`,
    replacement: DEFAULT_REPLACEMENT,
  },
  {
    // 13-19 digits, plain or in groups (4-4-4-4, 4-4-4-4-3, 4-6-5 ...), after anything but a letter
    // or digit (pan_4111...) and before anything (4111...x); replaced only when a run of whole groups
    // passes the Luhn check with an issuer's first digit (see findCardNumber). Trailing digits are
    // taken in so that the check sees whole groups: a longer number is no card.
    name: 'card-number',
    pattern: `${NOT_ALNUM_BEFORE}(?P<secret>[2-6]\\d{12,}|\\d{4}(?:[ -]\\d{4}){2}(?:[ -]\\d{1,4}){1,2}\\d*|\\d{4}[ -]\\d{6}[ -]\\d{4,5}\\d*)`,
    replacement: DEFAULT_REPLACEMENT,
    refine: 'card-number',
  },
];
