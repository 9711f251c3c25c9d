import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('fills defaults for a bare environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.role).toBe('all');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
  });

  it('names every malformed variable and what it got', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ROLE: 'boss', REDIS_URL: 'http://x', DATABASE_URL: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT: must be a whole number between 0 and 65535 (got "eighty")');
    expect(problems).toContain('ROLE: must be one of all, api, worker, scheduler (got "boss")');
    expect(problems).toContain('REDIS_URL: must be a URL starting with redis:// or rediss://');
    expect(problems).toContain('DATABASE_URL:');
  });

  it('treats empty variables as unset and trims the public URL', () => {
    const config = loadConfig({ PORT: '', PUBLIC_URL: 'https://recover.example.com/' });
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('https://recover.example.com');
  });

  it('rejects an out-of-range pool size', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE: must be a whole number between 1 and 500/);
  });

  it('prepares repeated statements unless told not to, and takes only true or false', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(/DATABASE_PREPARED_STATEMENTS: must be "true" or "false"/);
  });

  it('reads the channel settings and names what a half-configured channel lacks', () => {
    const config = loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', CAMPAIGN_TIME_SCALE: '0.001' });
    expect(config.smtp).toEqual({ url: 'smtp://127.0.0.1:2525', from: expect.any(String) });
    expect(config.twilio).toBeUndefined();
    expect(config.campaignTimeScale).toBe(0.001);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32) })).toThrow(/TWILIO_AUTH_TOKEN: is required when TWILIO_ACCOUNT_SID is set/);
    expect(() => loadConfig({ CAMPAIGN_TIME_SCALE: '0' })).toThrow(/CAMPAIGN_TIME_SCALE: must be a positive number/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL: must be a URL starting with smtp:\/\/ or smtps:\/\//);
  });

  it('reads the model settings with their defaults', () => {
    const config = loadConfig({ ML_MESSAGE_COSTS: 'sms=0.01', ML_EXPLORATION_RATE: '0.2' });
    expect(config.ml).toEqual({
      trainCron: '0 3 * * *',
      trainTimezone: 'UTC',
      explorationRate: 0.2,
      stopExplorationRate: 0.02,
      marginRate: 0.3,
      messageCost: { email: 0.001, push: 0.0005, sms: 0.01 },
      minTrainingExamples: 2000,
      maxDiscountShare: 0.5,
    });
    expect(loadConfig({ ML_MAX_DISCOUNT_SHARE: '0.25' }).ml.maxDiscountShare).toBe(0.25);
  });

  it('names malformed model settings', () => {
    let error: unknown;
    try {
      loadConfig({ ML_TRAIN_CRON: 'at three', ML_TRAIN_TIMEZONE: 'Mars/Olympus', ML_EXPLORATION_RATE: '1.5', ML_STOP_EXPLORATION_RATE: '0.5', ML_MAX_DISCOUNT_SHARE: '1.5', ML_MESSAGE_COSTS: 'fax=1', ADMIN_API_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('ML_TRAIN_CRON: must be a cron expression');
    expect(problems).toContain('ML_TRAIN_TIMEZONE: must be an IANA time zone');
    expect(problems).toContain('ML_EXPLORATION_RATE: must be a number between 0 and 1');
    expect(problems).toContain('ML_STOP_EXPLORATION_RATE: must be a number between 0 and 0.2');
    expect(problems).toContain('ML_MAX_DISCOUNT_SHARE: must be a number between 0 and 1');
    expect(problems).toContain('ML_MESSAGE_COSTS: must be a comma-separated list like email=0.001');
    expect(problems).toContain('ADMIN_API_TOKEN: must be at least 32 characters');
  });
});
