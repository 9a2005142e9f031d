import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../cli/agent-command.js';
import { UsageError } from '../../../cli/usage-error.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('supergrep agent --config', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-config-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  const flags = (config?: string) => ({ hub: ['http://hub:7070'], ...(config ? { config } : {}) });

  it('takes any agent option from the file; flags and SUPERGREP_TOKEN win over it', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ reconnectCapMs: 2_000, statsIntervalMs: 500, token: 'from-file', name: 'file-name' }));
    const config = loadAgentConfig(['/var/log/*.log'], { ...flags(file), name: 'flag-name' }, { SUPERGREP_TOKEN: 'from-env' });
    expect(config).toMatchObject({ reconnectCapMs: 2_000, statsIntervalMs: 500, token: 'from-env', name: 'flag-name', hubs: ['ws://hub:7070'] });
    expect(loadAgentConfig(['/x.log'], flags()).statsIntervalMs).toBe(60_000);
  });

  it('reports every bad key of the file at once, and a file that is not a JSON object', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ reconectCapMs: 1, heartbeatIntervalMs: -5 }));
    expect(() => loadAgentConfig(['/x.log'], flags(file), {})).toThrow(/reconectCapMs[\s\S]*heartbeatIntervalMs|heartbeatIntervalMs[\s\S]*reconectCapMs/);
    await writeFile(file, '[1, 2]');
    expect(() => loadAgentConfig(['/x.log'], flags(file), {})).toThrow(UsageError);
    expect(() => loadAgentConfig(['/x.log'], flags(join(dir, 'missing.json')), {})).toThrow(/cannot read agent config file/);
  });

  it('refuses a path whose glob is malformed, with the reason', () => {
    expect(() => loadAgentConfig(['/var/log/app[1.log'], flags(), {})).toThrow(UsageError);
    expect(() => loadAgentConfig(['/var/log/app[1.log'], flags(), {})).toThrow('invalid glob "/var/log/app[1.log": [ at character 13 is not closed');
    expect(loadAgentConfig(['/var/log/app\\[1.log'], flags(), {}).paths).toEqual(['/var/log/app\\[1.log']);
  });

  it('follows the journal with --journal, --unit or --journal-file, merged with the file\'s journal options', async () => {
    expect(loadAgentConfig([], { ...flags(), journal: true }, {}).journal).toEqual({ units: [], command: 'journalctl' });
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ journal: { command: '/usr/bin/journalctl', units: ['a.service'] } }));
    expect(loadAgentConfig([], { ...flags(file), unit: ['b.service'], journalFile: '/var/log/journal' }, {}).journal).toEqual({
      units: ['b.service'],
      file: '/var/log/journal',
      command: '/usr/bin/journalctl',
    });
    expect(loadAgentConfig([], flags(file), {}).journal?.units).toEqual(['a.service']);
    expect(() => loadAgentConfig([], flags(), {})).toThrow(/nothing to follow/);
  });
  it('takes multi-line rules from the file and --multiline / --multiline-flush over them; an invalid RE2 pattern is a usage error naming the rule', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ multiline: { flushMs: 900, rules: [{ paths: ['/srv/*.log'], start: '^\\d{4}-' }] } }));
    expect(loadAgentConfig(['/x.log'], flags(file), {}).multiline).toMatchObject({ enabled: true, flushMs: 900, maxLines: 500, rules: [{ paths: ['/srv/*.log'], start: '^\\d{4}-' }] });
    expect(loadAgentConfig(['/x.log'], { ...flags(file), multiline: false, multilineFlush: 2_000 }, {}).multiline).toMatchObject({ enabled: false, flushMs: 2_000, rules: [{ paths: ['/srv/*.log'] }] });
    expect(loadAgentConfig(['/x.log'], flags(), {}).multiline).toMatchObject({ enabled: true, flushMs: 500 });
    await writeFile(file, JSON.stringify({ multiline: { rules: [{ paths: ['/a/*.log'] }, { paths: ['/srv/*.log'], continuation: '(\\s+at' }] } }));
    expect(() => loadAgentConfig(['/x.log'], flags(file), {})).toThrow(UsageError);
    expect(() => loadAgentConfig(['/x.log'], flags(file), {})).toThrow(/invalid RE2 pattern[\s\S]*multiline\.rules\[1\]\.continuation/);
  });
});
