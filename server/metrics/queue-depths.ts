import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../queue/queues';
import { MetricsService } from './metrics.service';

const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'] as const;

@Injectable()
export class QueueDepths implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit() {
    const queues = QUEUE_NAMES.map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    this.metrics.readQueueDepthsWith(async () => {
      const rows: Array<{ queue: string; state: string; count: number }> = [];
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) rows.push({ queue: queue.name, state, count: counts[state] ?? 0 });
      }
      return rows;
    });
  }
}
