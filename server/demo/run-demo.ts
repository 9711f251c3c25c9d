/**
 * The demo's story on a timeline: the stack starts, shoppers arrive over the first quarter of the run, the
 * campaign's accelerated week (abandonment, reminders, expiry, the attribution window) fits in the next 40 %, the
 * held-out and treated enrollments settle into the Lift report, and the nightly training runs on what settled.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { DEFAULT_CAMPAIGN } from '../../campaigns/default-campaign';
import { createRandom } from '../../ml/random';
import { campaigns } from '../../models';
import { AdminUsers } from '../admin/auth/admin-users.service';
import { DATABASE, type Database } from '../database/database';
import { NightlyTraining } from '../ml/nightly-training';
import { TrainingRuns } from '../ml/training-runs.service';
import { SourcesService } from '../sources/sources.service';
import { DemoCrowd, type CrowdStats } from './demo-crowd';
import { drawShopper } from './demo-shopper';
import { startDemoStack, type DemoStack } from './demo-stack';

export interface RunDemoOptions {
  durationMs: number;
  shoppers: number;
  port: number;
  databaseUrl?: string;
  redisUrl?: string;
  seed?: number;
  out: (line: string) => void;
}

export interface DemoSummary {
  stats: CrowdStats;
  trainingRun: { id: string; status: string; verdict: string | null } | null;
}

export interface RunningDemo {
  stack: DemoStack;
  url: string;
  login: { email: string; password: string };
  /** Resolves when the story is told (shoppers done, training finished); the server keeps serving. */
  done: Promise<DemoSummary>;
  close(): Promise<void>;
}

/** The campaign's longest span (its 7-day expiry, beyond the 5-day attribution window and its grace) takes 40 % of the run. */
export function demoTimeScale(durationMs: number): number {
  return (0.4 * durationMs) / (DEFAULT_CAMPAIGN.expiryHours * 3_600_000);
}

/** Share of the seeded campaign's abandonments held out: more than a real store's 10 %, so a small crowd fills both arms. */
const DEMO_HOLDOUT_PERCENT = 20;
const ARRIVALS_SHARE = 0.25;
const TRAINING_AT_SHARE = 0.72;

/** A zone where it is between 10:00 and 17:00 now: quiet hours (21:00-08:00, never accelerated) hold nothing back. */
export function daytimeZone(now = new Date()): string {
  const zones = ['Pacific/Auckland', 'Australia/Sydney', 'Asia/Tokyo', 'Asia/Bangkok', 'Asia/Kolkata', 'Asia/Dubai', 'Europe/Moscow', 'Europe/Paris', 'Europe/London', 'Atlantic/Azores', 'America/Sao_Paulo', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu', 'Pacific/Kiritimati'];
  for (const zone of zones) {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(now));
    if (hour >= 10 && hour < 17) return zone;
  }
  return 'UTC';
}

export async function runDemo(options: RunDemoOptions): Promise<RunningDemo> {
  const { out, durationMs } = options;
  const timeScale = demoTimeScale(durationMs);
  const stack = await startDemoStack({ port: options.port, databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, timeScale: Number(timeScale.toFixed(12)) });
  try {
    const runTag = randomBytes(3).toString('hex');
    const sources = stack.app.get(SourcesService);
    const source = await sources.create({ name: 'Boots & Co (demo)', allowedOrigins: ['https://boots.example'], requireEmailOptIn: false });
    const serverKey = (await sources.rotateServerKey(source.id))!;
    const vapidPublicKey = ((await (await fetch(`${stack.url}/v1/push/vapid-public-key`)).json()) as { publicKey: string }).publicKey;
    const db = stack.app.get<Database>(DATABASE);
    await db.update(campaigns).set({ holdoutPercent: DEMO_HOLDOUT_PERCENT }).where(eq(campaigns.name, DEFAULT_CAMPAIGN.name));
    const login = { email: `demo-${runTag}@example.com`, password: `demo-${randomBytes(9).toString('base64url')}` };
    const created = await stack.app.get(AdminUsers).create({ email: login.email, password: login.password, role: 'admin', name: 'Demo' });
    if (!created.ok) throw new Error(`could not create the console user ${login.email}`);

    const zone = daytimeZone();
    const random = createRandom(options.seed ?? (Date.now() % 1_000_000));
    const crowd = new DemoCrowd(stack.url, { writeKey: source.writeKey, serverKey, vapidPublicKey }, stack.peers, random, zone, durationMs, (line) => out(`  ! ${line}`));
    out(`Campaign time runs ${Math.round(1 / timeScale)}× faster: the 1 h reminder comes ${(3600 * timeScale).toFixed(1)} s after abandonment, the campaign's week takes ${((168 * 3600 * timeScale) / 60).toFixed(1)} min.`);
    out(`${options.shoppers} shoppers (time zone ${zone}) arrive over the next ${Math.round((ARRIVALS_SHARE * durationMs) / 1000)} s.`);

    const started = Date.now();
    const timers: NodeJS.Timeout[] = [];
    for (let i = 0; i < options.shoppers; i++) {
      const plan = drawShopper(random, i, runTag);
      timers.push(setTimeout(() => crowd.arrive(plan), Math.round((i * ARRIVALS_SHARE * durationMs) / options.shoppers)));
    }
    const reacting = setInterval(() => crowd.react(), 250);
    const until = (share: number) => new Promise((r) => timers.push(setTimeout(r, Math.max(0, started + share * durationMs - Date.now()))));

    const done = (async (): Promise<DemoSummary> => {
      await until(TRAINING_AT_SHARE);
      // As the scheduler does each night (ML_TRAIN_CRON): one run per day, on the decisions whose window closed.
      await stack.app.get(NightlyTraining).enqueue();
      const runs = stack.app.get(TrainingRuns);
      let run = (await runs.recent(1))[0];
      out(`Training run ${run.id} requested, as the nightly job does.`);
      const deadline = Date.now() + Math.max(60_000, durationMs * 0.5);
      while (run && (run.status === 'queued' || run.status === 'running') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        run = (await runs.get(run.id)) ?? run;
      }
      await until(1);
      clearInterval(reacting);
      await crowd.stop();
      const verdict = run ? ((run.result as { verdict?: string } | null)?.verdict ?? run.error ?? null) : null;
      return { stats: crowd.stats, trainingRun: run ? { id: run.id, status: run.status, verdict } : null };
    })();
    done.catch(() => undefined);
    return {
      stack,
      url: stack.url,
      login,
      done,
      async close() {
        clearInterval(reacting);
        for (const t of timers) clearTimeout(t);
        await crowd.stop();
        await stack.close();
      },
    };
  } catch (error) {
    await stack.close().catch(() => undefined);
    throw error;
  }
}
