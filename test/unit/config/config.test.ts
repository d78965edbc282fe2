import { ConfigError, loadConfig } from '../../../src/config';

describe('loadConfig', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c.limits.maxBytes).toBe(10 * 1024 * 1024);
    expect(c.thresholds.intimidation).toEqual({ suspicious: 0.5, flagged: 0.9 });
    expect(c.thresholds.spam).toEqual({ suspicious: 0.9, flagged: 0.99 });
    expect(c.trustedAuthservIds).toEqual([]);
  });

  it('reads overrides and comma lists', () => {
    const c = loadConfig({ BALLOTWATCH_TRUSTED_AUTHSERV_IDS: 'MX1.example, mx2.example', BALLOTWATCH_SPAM_FLAGGED: '0.97', BALLOTWATCH_MAX_PARTS: '50' });
    expect(c.trustedAuthservIds).toEqual(['mx1.example', 'mx2.example']);
    expect(c.thresholds.spam.flagged).toBe(0.97);
    expect(c.limits.maxParts).toBe(50);
  });

  it('lists every problem, not just the first', () => {
    try {
      loadConfig({ BALLOTWATCH_MAX_BYTES: '0', BALLOTWATCH_FLAGGED: 'lots', BALLOTWATCH_SUSPICIOUS: '2' });
      throw new Error('expected a ConfigError');
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/BALLOTWATCH_MAX_BYTES/);
      expect(problems).toMatch(/BALLOTWATCH_FLAGGED/);
      expect(problems).toMatch(/BALLOTWATCH_SUSPICIOUS/);
    }
  });

  it('rejects a suspicious threshold above the flagged one', () => {
    expect(() => loadConfig({ BALLOTWATCH_DISINFORMATION_SUSPICIOUS: '0.95', BALLOTWATCH_DISINFORMATION_FLAGGED: '0.9' })).toThrow(/disinformation/);
  });
});

describe('empty variables', () => {
  it('treats an empty variable as unset, not as 0', () => {
    const c = loadConfig({ BALLOTWATCH_SUSPICIOUS: '', BALLOTWATCH_MAX_BYTES: '  ' });
    expect(c.thresholds.intimidation.suspicious).toBe(0.5);
    expect(c.limits.maxBytes).toBe(10 * 1024 * 1024);
  });
});
