import { describe, expect, it } from 'vitest';
import { detectFormat, decoderFor, FormatChooser, formatOfLine, formatOfPath } from '../../../../agent/formats/format-detect.js';
import { agentConfigSchema } from '../../../../agent/agent-config.js';
import { loadAgentConfig } from '../../../../cli/agent-command.js';

const ID = 'a3f1c9e2b7d4058e6a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef';
const CRI_LINE = Buffer.from('2026-12-07T22:50:27.1Z stdout F hello');
const DOCKER_LINE = Buffer.from('{"log":"hello\\n","stream":"stdout","time":"2026-12-07T22:50:27.1Z"}');

describe('format detection', () => {
  it('knows the kubelet\'s and Docker\'s log paths', () => {
    expect(formatOfPath('/var/log/pods/shop_checkout-7d9f_0b1c2d3e-aaaa-bbbb-cccc-123456789012/checkout/0.log')).toBe('cri');
    expect(formatOfPath(`/var/log/containers/checkout-7d9f_shop_checkout-${ID}.log`)).toBe('cri');
    expect(formatOfPath('/mnt/node/pods/shop_checkout_uid/checkout/3.log')).toBe('cri');
    expect(formatOfPath(`/var/lib/docker/containers/${ID}/${ID}-json.log`)).toBe('docker');
    expect(formatOfPath(`/data/docker/containers/${ID}/${ID}-json.log.2`)).toBe('docker');
    expect(formatOfPath('/var/log/app/server.log')).toBeUndefined();
    expect(formatOfPath(`/data/docker/containers/${ID}/other-json.log`)).toBeUndefined();
  });

  it('tells the format from a first line, plain when it is neither', () => {
    expect(formatOfLine(CRI_LINE)).toBe('cri');
    expect(formatOfLine(DOCKER_LINE)).toBe('docker');
    expect(formatOfLine(Buffer.from('{"level":"info","msg":"json, but not Docker\'s"}'))).toBe('plain');
    expect(formatOfLine(Buffer.from('2026-12-07T22:50:27.1Z INFO started'))).toBe('plain');
    expect(formatOfLine(Buffer.alloc(0))).toBe('plain');
  });

  it('prefers the path, then the first line, and waits for a line when neither tells', () => {
    expect(detectFormat('/var/log/pods/ns_pod_uid/ctr/0.log', DOCKER_LINE)).toBe('cri');
    expect(detectFormat('/var/log/pods/ns_pod_uid/ctr/0.log', undefined)).toBe('cri');
    expect(detectFormat('/srv/k8s/node-1.log', CRI_LINE)).toBe('cri');
    expect(detectFormat('/srv/app.log', DOCKER_LINE)).toBe('docker');
    expect(detectFormat('/srv/app.log', Buffer.from('hello'))).toBe('plain');
    expect(detectFormat('/srv/app.log', undefined)).toBeUndefined();
  });

  it('gives each format its decoder', () => {
    for (const format of ['plain', 'cri', 'docker'] as const) expect(decoderFor(format).format).toBe(format);
    expect(decoderFor('cri')).not.toBe(decoderFor('cri'));
  });

  it('applies --format and the first matching per-glob override of the config', () => {
    const config = loadAgentConfig(['/srv/**/*.log'], { hub: ['ws://hub:7070'], format: 'plain' }, {});
    expect(config.format).toBe('plain');
    const forced = new FormatChooser(config.format, config.formats);
    expect(forced.formatFor('/var/log/pods/ns_pod_uid/ctr/0.log', CRI_LINE)).toBe('plain');

    const chooser = new FormatChooser('auto', { '/srv/k8s/**': 'cri', '/srv/**/docker-*.log': 'docker', '/srv/**': 'auto' });
    expect(chooser.formatFor('/srv/k8s/a.log', undefined)).toBe('cri');
    expect(chooser.formatFor('/srv/x/docker-1.log', Buffer.from('text'))).toBe('docker');
    expect(chooser.formatFor('/srv/x/app.log', CRI_LINE)).toBe('cri');
    expect(chooser.formatFor('/opt/app.log', Buffer.from('text'))).toBe('plain');
    expect(new FormatChooser('docker', { '/srv/k8s/**': 'cri' }).formatFor('/opt/a.log', undefined)).toBe('docker');
  });

  it('defaults to auto, and refuses an unknown format or a malformed glob in the config', () => {
    const defaults = loadAgentConfig(['/x.log'], { hub: ['ws://hub:7070'] }, {});
    expect([defaults.format, defaults.formats]).toEqual(['auto', {}]);
    expect(() => loadAgentConfig(['/x.log'], { hub: ['ws://hub:7070'], format: 'json' }, {})).toThrow(/format/);
    const base = { hubs: ['ws://hub:7070'], paths: ['/x.log'] };
    expect(agentConfigSchema.safeParse({ ...base, formats: { '/srv/k8s/**': 'cri' } }).success).toBe(true);
    expect(agentConfigSchema.safeParse({ ...base, formats: { '/srv/[k8s': 'cri' } }).success).toBe(false);
    expect(agentConfigSchema.safeParse({ ...base, formats: { '/srv/k8s/**': 'syslog' } }).success).toBe(false);
  });
});
