import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoOptions } from './demo-options';
import { demoTimeScale } from './run-demo';

const problem = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parseDemoOptions(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(DemoUsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('npm run demo flags', () => {
  it('defaults to 5 minutes, 1500 shoppers, port 3000 and a fresh database', () => {
    expect(parseDemoOptions([], {})).toEqual({ minutes: 5, shoppers: 1500, port: 3000, databaseUrl: undefined, redisUrl: undefined });
  });

  it('takes the flags and the environment', () => {
    expect(parseDemoOptions(['--minutes', '2', '--shoppers=40'], { PORT: '3100', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379' })).toEqual({
      minutes: 2,
      shoppers: 40,
      port: 3100,
      databaseUrl: 'postgres://u@h/db',
      redisUrl: 'redis://h:6379',
    });
    expect(parseDemoOptions(['--port', '0'], { PORT: '3100' })).toMatchObject({ port: 0 });
    expect(parseDemoOptions(['--help'], {})).toBe('help');
  });

  it('names each bad flag or variable', () => {
    expect(problem(['--minutes', '0'])).toBe('--minutes: must be a whole number between 1 and 120');
    expect(problem(['--minutes', '2.5'])).toBe('--minutes: must be a whole number between 1 and 120');
    expect(problem(['--shoppers', 'many'])).toBe('--shoppers: must be a whole number between 4 and 2000');
    expect(problem(['--port', '70000'])).toBe('--port: must be a whole number between 0 and 65535');
    expect(problem([], { PORT: 'x' })).toBe('PORT: must be a whole number between 0 and 65535');
    expect(problem([], { DATABASE_URL: 'mysql://h/db' })).toBe('DATABASE_URL: must be a URL starting with postgres:// or postgresql://');
    expect(problem([], { REDIS_URL: 'http://h' })).toBe('REDIS_URL: must be a URL starting with redis:// or rediss://');
    expect(problem(['--minuts', '3'])).toContain("Unknown option '--minuts'");
    expect(problem(['--minutes'])).toContain("'--minutes <value>' argument missing");
    expect(problem(['extra'])).toContain("Unexpected argument 'extra'");
  });

  it("fits the campaign's week in 40 % of the run", () => {
    expect(demoTimeScale(5 * 60_000) * 168 * 3_600_000).toBeCloseTo(0.4 * 5 * 60_000);
  });
});
