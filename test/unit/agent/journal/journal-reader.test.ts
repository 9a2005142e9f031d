import { describe, expect, it } from 'vitest';
import { journalctlArgs } from '../../../../agent/journal/journal-reader.js';

describe('journalctlArgs', () => {
  const base = ['--follow', '--output=json', '--all', '--no-pager', '--output-fields=MESSAGE,PRIORITY,_HOSTNAME,SYSLOG_IDENTIFIER,_SYSTEMD_UNIT,_COMM,_PID'];

  it('resumes after a cursor, else starts at the start or the end', () => {
    expect(journalctlArgs({ units: [], fromStart: true }, 'c1')).toEqual([...base, '--after-cursor=c1']);
    expect(journalctlArgs({ units: [], fromStart: true }, undefined)).toEqual([...base, '--no-tail']);
    expect(journalctlArgs({ units: [], fromStart: false }, undefined)).toEqual([...base, '--lines=0']);
  });

  it('passes units and a journal file or directory', () => {
    const args = journalctlArgs({ units: ['a.service', 'b.service'], fromStart: false, path: { kind: 'directory', path: '/var/log/journal/remote' } }, undefined);
    expect(args.slice(base.length)).toEqual(['--lines=0', '--unit=a.service', '--unit=b.service', '--directory=/var/log/journal/remote']);
  });
});
