import { describe, expect, it } from 'vitest';
import { buildRedactor, redactionConfigSchema } from '../../../../server/redaction/redaction-config.js';
import { DEFAULT_RULES, type RedactionRule } from '../../../../lib/redaction/redaction-rules.js';
import { Redactor } from '../../../../lib/redaction/redactor.js';
import { lazy } from '../../../helpers/lazy.js';

function redactorWithCounts(config: unknown = {}) {
  const counts: Record<string, number> = {};
  const redactor = buildRedactor(redactionConfigSchema.parse(config), (rule, count) => {
    counts[rule] = (counts[rule] ?? 0) + count;
  })!;
  return { redactor, counts };
}

describe('built-in redaction rules', () => {
  it.each<[string, string, string, string[]]>([
    ['Authorization: Bearer', 'GET /x Authorization: Bearer eyAbC123.def-456_ghi=', 'GET /x Authorization: Bearer [REDACTED]', ['bearer-token']],
    ['bearer in any case', 'auth=BEARER abcdefgh12345678', 'auth=BEARER [REDACTED]', ['bearer-token']],
    ['Basic credentials', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [REDACTED]', ['basic-auth']],
    ['api_key= in a query string', 'GET /v1?api_key=abc123XYZ&page=2', 'GET /v1?api_key=[REDACTED]&page=2', ['api-key']],
    ['apikey: header', 'apikey: 9f8e7d6c5b4a', 'apikey: [REDACTED]', ['api-key']],
    ['X-Api-Key header', 'X-Api-Key: live-0123456789', 'X-Api-Key: [REDACTED]', ['api-key']],
    ['JSON api key', '{"aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG"}', '{"aws_secret_access_key":"[REDACTED]"}', ['api-key']],
    ['token=', 'callback?token=s3cr3t-value&next=/', 'callback?token=[REDACTED]&next=/', ['token']],
    ['access_token in JSON', '{"access_token": "ya29.a0AfH6SM", "ok": true}', '{"access_token": "[REDACTED]", "ok": true}', ['token']],
    ['password=', 'login user=bob password=hunter2 ok', 'login user=bob password=[REDACTED] ok', ['password']],
    ['client_secret:', 'client_secret: abc.def', 'client_secret: [REDACTED]', ['password']],
    ['password in a URL', 'connecting to postgres://app:Sup3r-S3cret@db:5432/main', 'connecting to postgres://app:[REDACTED]@db:5432/main', ['url-password']],
    ['password in a URL without user', 'redis://:hunter2@cache:6379', 'redis://:[REDACTED]@cache:6379', ['url-password']],
    ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED] used', ['aws-access-key-id']],
    ['temporary AWS key id', 'ASIAY34FZKBOKMUTVV7A', '[REDACTED]', ['aws-access-key-id']],
    ['Stripe secret key', 'charging with sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'charging with [REDACTED]', ['secret-key-prefix']],
    ['GitHub token', 'ghp_' + 'a'.repeat(36) + ' pushed', '[REDACTED] pushed', ['github-token']],
    ['Slack token', 'xoxb-123456789012-abcdefABCDEF', '[REDACTED]', ['slack-token']],
    ['Google API key', 'AIza' + 'B'.repeat(35), '[REDACTED]', ['google-api-key']],
    ['JWT', 'id=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N', 'id=[REDACTED]', ['jwt']],
    ['card number', 'paid with 4111 1111 1111 1111 today', 'paid with [REDACTED] today', ['card-number']],
    ['card number with dashes', 'card=5500-0000-0000-0004', 'card=[REDACTED]', ['card-number']],
    ['card number, plain digits', 'pan 6011111111111117.', 'pan [REDACTED].', ['card-number']],
  ])('%s', (_name, line, expected, rules) => {
    const { redactor, counts } = redactorWithCounts();
    expect(redactor.redactLine(line)).toBe(expected);
    expect(Object.keys(counts).sort()).toEqual(rules.sort());
  });

  it.each<[string, string]>([
    ['the word bearer in prose', 'missing bearer token in request'],
    ['max_tokens is not a token', 'completion max_tokens=512 temperature=0.2'],
    ['a URL with a port but no password', 'GET http://api.internal:8080/v1/items'],
    ['a card number failing Luhn', 'order 4111 1111 1111 1112 declined'],
    ['epoch milliseconds (Luhn-valid, but no issuer starts with 1)', 'ts=1764190000125 done'],
    ['a 16-digit id starting with 9', 'trace=9111111111111111'],
    ['an ISO date', '2026-11-26 21:40:00 INFO started'],
    ['an IP and port', 'peer 10.0.3.118:443 closed'],
    ['a short AKIA-like word', 'AKIA is a prefix'],
  ])('leaves %s alone', (_name, line) => {
    const { redactor, counts } = redactorWithCounts();
    expect(redactor.redactLine(line)).toBe(line);
    expect(counts).toEqual({});
  });

  it('hides the union when rules overlap: a token value that is itself a bearer token', () => {
    const { redactor, counts } = redactorWithCounts();
    // The token rule sees the value "Bearer", the bearer rule the token after it: both go.
    expect(redactor.redactLine('token: Bearer abcdefgh12345678 rest')).toBe('token: [REDACTED] [REDACTED] rest');
    expect(counts).toEqual({ token: 1, 'bearer-token': 1 });
    // Overlapping spans merge into one replacement: api key value that is an AWS key id.
    const merged = redactorWithCounts();
    expect(merged.redactor.redactLine('api_key=AKIAIOSFODNN7EXAMPLE')).toBe('api_key=[REDACTED]');
    expect(merged.counts).toEqual({ 'api-key': 1, 'aws-access-key-id': 1 });
  });

  // The replacement must run to the end of the merged findings, not to the end of the first one.
  it('hides all of overlapping findings when the first ends before the others', () => {
    const { redactor, counts } = redactorWithCounts();
    // token= marks "-4111", the card rule "4111 1111 1111 1111", which starts inside it.
    expect(redactor.redactLine('token=-4111 1111 1111 1111')).toBe('token=[REDACTED]');
    expect(counts).toEqual({ token: 1, 'card-number': 1 });
    const nested = new Redactor([
      { name: 'short', pattern: 'a(?P<secret>bc)', replacement: '#' },
      { name: 'long', pattern: '(?P<secret>cdef)', replacement: '#' },
      { name: 'inner', pattern: 'x(?P<secret>yz)w', replacement: '#' },
    ]);
    expect(nested.redactLine('abcdefg')).toBe('a#g');
    expect(nested.redactLine('xyzw abcdef')).toBe('x#w a#');
  });

  it('is idempotent: redacting redacted text changes and counts nothing', () => {
    const { redactor, counts } = redactorWithCounts();
    const once = redactor.redactLine('token=abc Authorization: Bearer abcdefgh12345678 https://u:p@h 4111111111111111');
    const before = { ...counts };
    expect(redactor.redactLine(once)).toBe(once);
    expect(counts).toEqual(before);
  });

  it('returns the very same string for a line without secrets', () => {
    const { redactor } = redactorWithCounts();
    const line = 'GET /index.html status=200';
    expect(redactor.redactLine(line)).toBe(line);
  });

  it('keeps UTF-16 positions right around non-ASCII text', () => {
    const { redactor } = redactorWithCounts();
    expect(redactor.redactLine('héllo 😀 token=sécret ünd')).toBe('héllo 😀 token=[REDACTED] ünd');
  });
});

describe('redaction configuration', () => {
  it('adds custom rules, with a secret group or replacing the whole match', () => {
    const { redactor, counts } = redactorWithCounts({
      rules: [
        { name: 'session', pattern: 'session=(?P<secret>[0-9a-f]{8,})' },
        { name: 'employee-id', pattern: '\\bEMP-\\d{6}\\b', replacement: '<employee>' },
      ],
    });
    expect(redactor.redactLine('session=deadbeef01 by EMP-123456')).toBe('session=[REDACTED] by <employee>');
    expect(counts).toEqual({ session: 1, 'employee-id': 1 });
  });

  it('disables built-in rules by name', () => {
    const { redactor } = redactorWithCounts({ disable: ['card-number', 'token'] });
    expect(redactor.redactLine('4111111111111111 token=abc password=x')).toBe('4111111111111111 token=abc password=[REDACTED]');
  });

  it('builds no redactor when every rule is disabled', () => {
    expect(buildRedactor(redactionConfigSchema.parse({ disable: DEFAULT_RULES.map((rule) => rule.name) }))).toBeUndefined();
  });

  it('reports every problem at once: unknown rule to disable, taken name, bad RE2, empty-matching pattern', () => {
    const parsed = redactionConfigSchema.safeParse({
      disable: ['crad-number'],
      rules: [
        { name: 'token', pattern: 'x' },
        { name: 'look', pattern: '(?=x)y' },
        { name: 'empty', pattern: 'a*' },
        { name: 'bad name!', pattern: 'x' },
      ],
    });
    expect(parsed.success).toBe(false);
    const messages = parsed.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^disable\.0: no built-in rule is named "crad-number"/),
        expect.stringMatching(/^rules\.0\.name: the rule name "token" is already taken/),
        expect.stringMatching(/^rules\.1\.pattern: not a valid RE2 pattern/),
        'rules.2.pattern: matches the empty string',
        expect.stringMatching(/^rules\.3\.name: /),
      ]),
    );
  });
});

describe('Redactor.redactBody', () => {
  const redactor = lazy(() => new Redactor(DEFAULT_RULES));
  const body = (lines: string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(''));

  it('answers undefined for a batch without secrets', () => {
    expect(redactor().redactBody(body(['a', 'b status=200', 'c']), undefined)).toBeUndefined();
  });

  it('replaces secrets line by line and moves truncated offsets with the lines', () => {
    const lines = ['first token=abcdef', 'plain ', 'x Bearer abcdefgh12345678', 'last '];
    const original = body(lines);
    // Lines 2 ("plain ") and 4 ("last ") were cut by the agent, after a space: no tail to hide.
    const truncated = new Set([original.indexOf('plain'), original.indexOf('last')]);
    const result = redactor().redactBody(original, truncated)!;
    const text = result.body.toString();
    expect(text).toBe('first token=[REDACTED]\nplain \nx Bearer [REDACTED]\nlast \n');
    expect([...result.truncated!].sort((a, b) => a - b)).toEqual([text.indexOf('plain'), text.indexOf('last')]);
  });

  it('finds a secret whatever precedes it in the batch, and ignores a match running across lines', () => {
    const result = redactor().redactBody(body(['auth is bearer', 'abcdefgh12345678 not a token', 'ok AKIAIOSFODNN7EXAMPLE']), undefined)!;
    expect(result.body.toString()).toBe('auth is bearer\nabcdefgh12345678 not a token\nok [REDACTED]\n');
  });

  it('keeps multi-byte characters intact', () => {
    const result = redactor().redactBody(body(['é token=ü€x', 'ß']), undefined)!;
    expect(result.body.toString()).toBe('é token=[REDACTED]\nß\n');
  });
});

describe('Redactor', () => {
  const rule = (name: string, pattern: string, replacement = `[${name}]`): RedactionRule => ({ name, pattern, replacement });

  it('needs a rule, and names the rules and the cut tail in its counts', () => {
    expect(() => new Redactor([])).toThrow(/at least one rule/);
    expect(new Redactor([rule('a', 'A+'), rule('b', 'B+')]).ruleNames).toEqual(['a', 'b', 'cut-line-tail']);
  });

  it('replaces only the secret group, whichever syntax names it, and lets two rules both name one', () => {
    const redactor = new Redactor([rule('p', '(?P<secret>AAA\\d+)'), rule('q', 'key=(?<secret>\\w+)'), rule('r', 'pin (?P<secret>\\d+)')]);
    expect(redactor.redactLine('AAA12 key=abc pin 42')).toBe('[p] key=[q] pin [r]');
    expect(redactor.redactBody(Buffer.from('x key=abc\n'), undefined)?.body.toString()).toBe('x key=[q]\n');
    // Several rules may open with a secret group, in either syntax: the batch scan still compiles.
    const many = new Redactor([rule('a', '(?P<secret>AAA\\d+)'), rule('b', '(?P<secret>BBB\\d+)'), rule('c', '(?<secret>CCC\\d+)'), rule('d', 'x(?<secret>DDD\\d+)')]);
    expect(many.redactBody(Buffer.from('AAA1 BBB2 CCC3 xDDD4\n'), undefined)?.body.toString()).toBe('[a] [b] [c] x[d]\n');
  });

  it('answers undefined for a batch whose only candidate line has nothing left to hide', () => {
    expect(new Redactor(DEFAULT_RULES).redactBody(Buffer.from('token=[REDACTED]\n'), undefined)).toBeUndefined();
  });

  it('finds no card in a digit run glued to a letter or a digit', () => {
    const line = 'ref A4111111111111111 and 94111111111111111';
    expect(new Redactor(DEFAULT_RULES).redactLine(line)).toBe(line);
  });

  it('skips empty matches, matches without a secret group, and empty secrets', () => {
    expect(new Redactor([rule('q', 'q*')]).redactLine('aqqbq')).toBe('a[q]b[q]');
    const redactor = new Redactor([rule('s', 'k=(?P<secret>\\d*)|B+')]);
    expect(redactor.redactLine('k= BBB k=7')).toBe('k= BBB k=[s]');
  });

  it('hides only the card inside a longer run of digit groups', () => {
    const redactor = new Redactor(DEFAULT_RULES);
    expect(redactor.redactLine('paid 2024 4111 1111 1111 1111 ok')).toBe('paid 2024 [REDACTED] ok');
  });

  it('merges overlapping findings under the rule whose finding is longest from their start, but not adjacent ones', () => {
    const short = rule('short', 'abc', '[S]');
    const long = rule('long', 'abcdef', '[L]');
    expect(new Redactor([short, long]).redactLine('xabcdefy')).toBe('x[L]y');
    expect(new Redactor([long, short]).redactLine('xabcdefy')).toBe('x[L]y');
    expect(new Redactor([rule('x', 'AB'), rule('y', 'CD')]).redactLine('ABCD')).toBe('[x][y]');
  });

  it('hides the tail of every cut line, candidate or not, and only of cut lines', () => {
    const counts: Array<[string, number]> = [];
    const redactor = new Redactor(DEFAULT_RULES, (name, count) => counts.push([name, count]));
    const lines = ['done ', 'id AKIAIOSFODNN7EXAMPLE Ref9', 'a token=abc rest AKIAIOSF', 'plain 4111 1111', 'kept 4111 1111', 'end Xyz12'];
    const original = Buffer.from(`${lines.join('\n')}`);
    const starts = lines.map((line) => original.indexOf(line));
    const cutLines = [0, 2, 3, 5];
    // Any order, and an offset past the body (ignored).
    const truncated = new Set([...cutLines.map((index) => starts[index]!).reverse(), original.length + 5]);
    const result = redactor.redactBody(original, truncated)!;
    const out = result.body.toString();
    const expected = ['done ', 'id [REDACTED] Ref9', 'a token=[REDACTED] rest [REDACTED]', 'plain [REDACTED]', 'kept 4111 1111', 'end [REDACTED]'];
    expect(out).toBe(expected.join('\n'));
    expect([...result.truncated!].sort((a, b) => a - b)).toEqual([...cutLines.map((index) => out.indexOf(expected[index]!)), original.length + 5 + (out.length - original.length)].sort((a, b) => a - b));
    expect(counts.filter(([name]) => name === 'cut-line-tail')).toEqual([
      ['cut-line-tail', 1],
      ['cut-line-tail', 1],
      ['cut-line-tail', 1],
    ]);
  });
});

