/**
 * The redaction corpus: lines with secrets the built-in rules must hide, and look-alikes they must
 * leave as written. In SECRET_LINES each secret value is marked ⟦like this⟧; the markers are not
 * part of the line (see parseMarked). A token's fixed prefix (ghp_, xoxb-) is no secret and is left
 * out of the mark, though the rules hide it with the token. docs/security.md gives the corpus's size.
 */

/** A line with the values in it that must not survive redaction, and where they are. */
export interface SecretLine {
  line: string;
  secrets: string[];
  /** [start, end) of each secret in `line`. */
  spans: Array<[number, number]>;
}

/** `a ⟦b⟧ c` → line `a b c`, secrets `['b']`, spans `[[2, 3]]`. */
function parseMarked(marked: string): SecretLine {
  const secrets: string[] = [];
  const spans: Array<[number, number]> = [];
  let line = '';
  let rest = marked;
  for (let open = rest.indexOf('⟦'); open >= 0; open = rest.indexOf('⟦')) {
    const close = rest.indexOf('⟧', open);
    const secret = rest.slice(open + 1, close);
    line += rest.slice(0, open);
    spans.push([line.length, line.length + secret.length]);
    secrets.push(secret);
    line += secret;
    rest = rest.slice(close + 1);
  }
  return { line: line + rest, secrets, spans };
}

const MARKED: readonly string[] = [
  // The forms of issue 18.
  '{"msg":"{\\"password\\":\\"⟦hunter2⟧\\"}"}',
  "config 'password' => '⟦x9Lk!mq⟧',",
  'GET /cb?auth=Bearer%20⟦abcdefgh12345678⟧ HTTP/1.1',
  'GET /login?q=password%3D⟦hunter2⟧&x=1',
  'GET /x?data=%7B%22api_key%22%3A%22⟦abc123xyz⟧%22%7D',
  'Authorization: Token ⟦9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b⟧',
  'password\u00a0=\u00a0⟦hunter2⟧',
  'aws key_⟦AKIAIOSFODNN7EXAMPLE⟧ loaded',
  'pan_⟦4111111111111111⟧',
  'ref ⟦4111111111111111⟧x',
  'db postgres://app:⟦p@ssw0rd⟧@db.internal/app',
  'password="⟦two words⟧" user=bob',
  'pw=⟦hunter2⟧',
  'mysql -u root -p⟦S3cretPass⟧ orders',
  'token=-⟦4111 1111 1111 1111⟧',
  // Authorization headers.
  'GET /x Authorization: Bearer ⟦eyAbC123.def-456_ghi=⟧',
  'auth=BEARER ⟦abcdefgh12345678⟧',
  'Authorization: Basic ⟦dXNlcjpwYXNzd29yZA==⟧',
  'Proxy-Authorization: Basic ⟦YWxhZGRpbjpvcGVuc2VzYW1l⟧',
  'authorization=⟦0123456789abcdef0123⟧',
  'headers {"Authorization": "ApiKey ⟦ak_9f8e7d6c5b4a⟧", "Host": "api"}',
  // Keys and values.
  'GET /v1?api_key=⟦abc123XYZ⟧&page=2',
  'apikey: ⟦9f8e7d6c5b4a⟧',
  'X-Api-Key: ⟦live-0123456789⟧',
  '{"aws_secret_access_key":"⟦wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY⟧"}',
  'export AWS_SECRET_ACCESS_KEY=⟦wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY⟧',
  '{\\"api_key\\":\\"⟦k3y-0f9e8d7c⟧\\"}',
  '"secret_key": "⟦django-insecure-abc123⟧"',
  "private_key = '⟦abc def ghi⟧'",
  'DefaultEndpointsProtocol=https;AccountKey=⟦Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq==⟧;EndpointSuffix=core.windows.net',
  'callback?token=⟦s3cr3t-value⟧&next=/',
  '{"access_token": "⟦ya29.a0AfH6SMBx⟧", "ok": true}',
  'refresh_token: ⟦1//0gLk3-XYZ⟧',
  'X-Auth-Token: ⟦a1b2c3d4e5⟧',
  'csrf-token: ⟦Xk29dkL⟧',
  '  token: ⟦tok_8f7e6d5c⟧',
  'login user=bob password=⟦hunter2⟧ ok',
  'client_secret: ⟦abc.def⟧',
  '  secret: ⟦Zm9vYmFyYmF6⟧',
  'DB_PASS=⟦Tr0ub4dor3⟧',
  'smtp_pass=⟦mailpass99⟧',
  'pwd=⟦hunter2⟧',
  'password%3A%20⟦hunter2⟧',
  'STRIPE_WEBHOOK_SECRET=⟦whsec_5f1d0c9b8a7e6d5c4b3a29181716⟧',
  'mysqldump -uroot -p⟦r00tpw⟧ --all-databases',
  'psql --password ⟦hunter2⟧ -h db',
  // Passwords in URLs.
  'connecting to postgres://app:⟦Sup3r-S3cret⟧@db:5432/main',
  'redis://:⟦hunter2⟧@cache:6379',
  'git clone https://deploy:⟦gh0st-Wr1ter⟧@git.example.com/repo.git',
  'DATABASE_URL=mysql://root:⟦toor@123⟧@localhost:3306/app',
  'amqp://user:⟦pa:ss⟧@mq/vhost',
  // Cookies and session ids.
  'Cookie: session=⟦abc123def456⟧; theme=dark',
  'Set-Cookie: sessionid=⟦38afes7a8⟧; HttpOnly; Path=/',
  'PHPSESSID=⟦el4ukv0kqbvoirg7nkp4dncpk3⟧',
  'JSESSIONID=⟦1A530637289A03B07199A44E8D531427⟧',
  'cookie connect.sid=⟦s%3Aabc.def⟧',
  // Token formats.
  'key ⟦AKIAIOSFODNN7EXAMPLE⟧ used',
  '⟦ASIAY34FZKBOKMUTVV7A⟧',
  'charging with ⟦sk_live_4eC39HqLyjWDarjtT1zdp7dc⟧',
  'refund with ⟦rk_test_51H8abcdefghijklmnop⟧',
  'OPENAI_KEY ⟦sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34⟧',
  'ghp_⟦aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gH3jK5⟧ pushed',
  'using github_pat_⟦11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz⟧',
  'xoxb-⟦123456789012-abcdefABCDEF⟧',
  'posting to https://⟦hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX⟧',
  'maps key=⟦AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe⟧',
  'using ⟦ya29.a0AfH6SMBxyz0123456789abcdef⟧',
  'gitlab glpat-⟦x7Kq9ZpL2mN4vB8cR1tY⟧',
  'npm npm_⟦aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789⟧',
  'mail ⟦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⟧',
  'hub hf_⟦aBcDeFgHiJkLmNoPqRsTuVwXyZABCDEF⟧',
  'id=⟦eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N⟧',
  '{"key":"-----BEGIN RSA PRIVATE KEY-----\\n⟦MIIEowIBAAKCAQEA7bq⟧\\n-----END RSA PRIVATE KEY-----"}',
  '-----BEGIN OPENSSH PRIVATE KEY----- ⟦b3BlbnNzaC1rZXktdjEAAAAA⟧ -----END OPENSSH PRIVATE KEY-----',
  // Card numbers.
  'paid with ⟦4111 1111 1111 1111⟧ today',
  'card=⟦5500-0000-0000-0004⟧',
  'amex ⟦3782 822463 10005⟧',
  'pan ⟦6011111111111117⟧.',
  'cards ⟦4111 1111 1111 1111⟧ ⟦5500 0000 0000 0004⟧',
  'year 2024 ⟦4111 1111 1111 1111⟧',
];

export const SECRET_LINES: readonly SecretLine[] = MARKED.map(parseMarked);

/** Lines that only look like they hold secrets: redaction must leave them exactly as they are. */
export const LOOK_ALIKES: readonly string[] = [
  'order 1234567890123456 shipped',
  'order 4111111111111112 declined (Luhn fails)',
  'order 4111 1111 1111 1112 declined',
  'card 5500 0000 0000 0005 rejected',
  'trace=9111111111111111',
  'ts=1764190000125 done',
  'ns=1764190000125000000',
  'deployed commit 9fceb02d0ae598e95dc970b74668f1ef4c2e3f71',
  'GET /static/app.3f9a2b1c.js 200',
  'GET /blob/9fceb02d0ae598e95dc970b74668f1ef4c2e3f71/README.md',
  'request 550e8400-e29b-41d4-a716-446655440000 done',
  'X-Request-Id: 7f3a9c2b-1d4e-4f6a-9b8c-2e1f0a3d5c7b',
  'ETag: "33a64df551425fcc55e4d42a148795d9f25f89d4"',
  'image sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
  'supergrep v1.2.3 on node 20.11.1',
  'go version go1.22.5 linux/amd64',
  '2026-11-26 21:40:00 INFO started',
  '2026-12-07T14:18:26.123Z web-1 nginx: 10.0.3.118 "GET / HTTP/1.1" status=200',
  'ts=2026-12-07 14:18:26,123 level=info',
  'ISO week 2026-W49',
  'peer 10.0.3.118:443 closed',
  'listening on [::1]:8080 and fe80::1%eth0',
  'listening on port 8080',
  'password reset requested for user 42',
  'token count=12',
  'completion max_tokens=512 temperature=0.2',
  'tokens_used=1234 prompt_tokens=99',
  'missing bearer token in request',
  'scheme=Bearer realm=api',
  'Authorization header missing',
  'authorization: denied',
  'auth failed: invalid password for user bob',
  'password_changed=true at 12:00',
  'password policy: min length 12',
  'secret_rotation_days=90',
  'the secret is out',
  'token expired for user 42',
  'refresh token rotated',
  'api key rotated for service billing',
  'rate limit close for api_key_id=123456 used=12/1000',
  'user signed in user_id=123456 method=password',
  'took 1500ms duration=2h30m0s',
  'latency p99=912ms p50=12ms',
  'pass=12 fail=0 skip=3',
  'bypass=true compass=north',
  'mysql -h db.internal -P 3306 -u app orders',
  'mysql -p',
  'AKIA is a prefix',
  'ghp_short and xoxb alone and eyJ alone',
  'sk_test is a prefix; sk-learn is a library',
  'hf_hub_download done',
  'GET http://api.internal:8080/v1/items',
  'GET https://example.com/path?page=2&sort=asc',
  'GET http://user@host:8080/path',
  'mailto:bob@example.com email=bob@example.com',
  'Cache-Control: max-age=3600',
  'Content-Length: 1234',
  'User-Agent: curl/8.11.1',
  'status=200 bytes=1234 rt=0.123',
  'amount=4111.11 USD',
  'order_id=411111 user_id=111111',
  'pid=12345 ppid=1 exit code 137',
  'memory 1048576 bytes',
  'pod web-7d4b9c8f6-x2k9p ready',
  'card ending in 1111',
  'isbn 978-3-16-148410-0',
  'phone +1 555 123 4567',
  '-----BEGIN CERTIFICATE-----',
  '-----BEGIN PUBLIC KEY-----',
  'private key loaded from /etc/ssl/private/key.pem',
  'GET /api/v3/favorites?limit=20&cursor=eyJpZCI6MTIzfQ',
  '    at Router.dispatch (/srv/app/node_modules/router/index.js:284:7)',
  '{"ts":"2026-12-07T14:18:26.123Z","level":"info","service":"auth","msg":"request metrics","p50_ms":12,"rps":400}',
  'session count: 12 sessions=4',
  'cookie consent banner shown',
];
