import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { PG_POOL } from '../database/database';
import { REDIS } from '../redis/redis.module';
import { ShutdownState } from './shutdown-state';

const TIMEOUT_MS = 2_000;

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.probe('database', async () => void (await this.pool.query('SELECT 1'))),
      () => this.probe('redis', async () => void (await this.redis.ping())),
      () => {
        const state = this.indicator.check('process');
        return this.shutdown.draining ? state.down({ message: 'shutting down' }) : state.up();
      },
    ]);
  }

  private async probe(key: string, ping: () => Promise<void>) {
    const state = this.indicator.check(key);
    const started = Date.now();
    try {
      await withTimeout(ping(), TIMEOUT_MS);
      return state.up({ latencyMs: Date.now() - started });
    } catch (error) {
      return state.down({ message: (error as Error).message });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    );
  });
}
