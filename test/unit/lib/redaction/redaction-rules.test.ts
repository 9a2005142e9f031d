import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLACEMENT, DEFAULT_RULES } from '../../../../lib/redaction/redaction-rules.js';

describe('the built-in redaction rules', () => {
  // The names are configuration (redaction.disable) and metric labels: renaming one breaks both.
  it('keep their names and order', () => {
    expect(DEFAULT_RULES.map((rule) => rule.name)).toEqual([
      'bearer-token',
      'basic-auth',
      'authorization-header',
      'api-key',
      'token',
      'password',
      'cli-password',
      'session-id',
      'url-password',
      'aws-access-key-id',
      'secret-key-prefix',
      'github-token',
      'slack-token',
      'google-api-key',
      'service-token',
      'jwt',
      'private-key',
      'card-number',
    ]);
  });

  it('each have a pattern and the default replacement', () => {
    for (const rule of DEFAULT_RULES) {
      expect(rule.pattern.length).toBeGreaterThan(0);
      expect(rule.replacement).toBe(DEFAULT_REPLACEMENT);
    }
  });
});
