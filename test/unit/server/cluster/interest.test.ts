import { describe, expect, it } from 'vitest';
import { InterestSet, minimizeSubjects, subjectsForFilter } from '../../../../server/cluster/interest.js';
import { lineSubject } from '../../../../server/cluster/subjects.js';

describe('subjectsForFilter', () => {
  it.each([
    [{}, ['sg.lines.*.*']],
    [{ hosts: [] }, ['sg.lines.*.*']],
    [{ hosts: ['web-1'] }, ['sg.lines.web-1.*']],
    [{ hosts: ['web-1', 'web-2'] }, ['sg.lines.web-1.*', 'sg.lines.web-2.*']],
    [{ hosts: ['web-1.example.com'] }, ['sg.lines.web-1%2Eexample%2Ecom.*']],
    // NATS wildcards match whole tokens: a glob needs every host, and the hub filters.
    [{ hosts: ['web-*'] }, ['sg.lines.*.*']],
    [{ hosts: ['web-1', 'db-{1,2}'] }, ['sg.lines.*.*']],
    [{ hosts: ['web-[12]'] }, ['sg.lines.*.*']],
    // Escaped special characters are literal: the name is exact.
    [{ hosts: ['web\\[1\\]'] }, ['sg.lines.web%5B1%5D.*']],
    [{ hosts: ['{web}'] }, ['sg.lines.%7Bweb%7D.*']],
    [{ files: ['/var/log/app\\[1\\].log'] }, ['sg.lines.*./var/log/app%5B1%5D%2Elog']],
    [{ files: ['/var/log/app.log'] }, ['sg.lines.*./var/log/app%2Elog']],
    // A glob without a slash matches a path's last segment anywhere.
    [{ files: ['app.log'] }, ['sg.lines.*.*']],
    [{ files: ['/var/log/*.log'] }, ['sg.lines.*.*']],
    [{ hosts: ['web-1'], files: ['/a.log', '/b.log'] }, ['sg.lines.web-1./a%2Elog', 'sg.lines.web-1./b%2Elog']],
  ])('%j -> %j', (spec, subjects) => {
    expect(subjectsForFilter(spec)).toEqual(subjects);
  });

  it('names the subject the line is published on', () => {
    const [subject] = subjectsForFilter({ hosts: ['web 1'], files: ['/var/log/a b.log'] });
    expect(subject).toBe(lineSubject('web 1', '/var/log/a b.log'));
  });

  it('names the subject of an escaped literal by the name it stands for', () => {
    const [subject] = subjectsForFilter({ hosts: ['web\\[1\\]'], files: ['/var/log/app\\{x,y\\}.log'] });
    expect(subject).toBe(lineSubject('web[1]', '/var/log/app{x,y}.log'));
  });
});

describe('minimizeSubjects', () => {
  it.each([
    [['sg.lines.a.*', 'sg.lines.a./x'], ['sg.lines.a.*']],
    [['sg.lines.*./x', 'sg.lines.a./x', 'sg.lines.a./y'], ['sg.lines.*./x', 'sg.lines.a./y']],
    [['sg.lines.a.*', 'sg.lines.*./x'], ['sg.lines.*./x', 'sg.lines.a.*']],
    [['sg.lines.a.*', 'sg.lines.*.*', 'sg.lines.b./x'], ['sg.lines.*.*']],
    [['sg.lines.b.*', 'sg.lines.a.*', 'sg.lines.b.*'], ['sg.lines.a.*', 'sg.lines.b.*']],
  ])('%j -> %j', (subjects, minimal) => {
    expect(minimizeSubjects(subjects)).toEqual(minimal);
  });
});

describe('InterestSet', () => {
  it('counts references per filter and reports when the subject set changes', () => {
    const interest = new InterestSet();
    expect(interest.add('k1', { hosts: ['web-1'] })).toBe(true);
    expect(interest.add('k1', { hosts: ['web-1'] })).toBe(false);
    expect(interest.add('k2', { hosts: ['web-1'], files: ['/a.log'] })).toBe(false); // covered by k1
    expect(interest.subjects).toEqual(['sg.lines.web-1.*']);
    expect(interest.add('k3', { hosts: ['db-1'] })).toBe(true);
    expect(interest.subjects).toEqual(['sg.lines.db-1.*', 'sg.lines.web-1.*']);

    expect(interest.remove('k1')).toBe(false); // one reference left
    expect(interest.remove('k1')).toBe(true); // now only k2 needs web-1, for one file
    expect(interest.subjects).toEqual(['sg.lines.db-1.*', 'sg.lines.web-1./a%2Elog']);
    expect(interest.add('all', {})).toBe(true);
    expect(interest.subjects).toEqual(['sg.lines.*.*']);
    expect(interest.remove('all')).toBe(true);
    expect(interest.remove('k2')).toBe(true);
    expect(interest.remove('k3')).toBe(true);
    expect(interest.subjects).toEqual([]);
    expect(interest.remove('unknown')).toBe(false);
  });
});
