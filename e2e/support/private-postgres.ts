import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process';

/**
 * A PostgreSQL cluster of the test's own (initdb into a temporary folder, its own port and socket folder), so a
 * test can kill -9 it without touching the shared cluster on 5432. PostgreSQL refuses to run as root: under root
 * every command runs as the `postgres` OS user, which owns the folder.
 */
export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/<database> */
  url(database?: string): string;
  start(): Promise<void>;
  /** SIGKILL the postmaster (pid from postmaster.pid), then every backend it leaves behind, as a crashed host would. */
  kill9(): Promise<void>;
  /** Kills the cluster if it runs and deletes the folder; safe to call twice and after a failed start. */
  destroy(): Promise<void>;
  log(): string;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error(`no initdb under ${root}/*/bin`);
  return found;
}

const asRoot = process.getuid?.() === 0;

function run(command: string, args: string[]): string {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Pids whose parent is `pid` (the postmaster's backends and auxiliary processes). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces, so split after ')'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

export async function createPrivatePostgres(label: string): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), `pg-${label}-`));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  let running = false;
  let child: ChildProcess | undefined;
  let childExited: Promise<void> = Promise.resolve();
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions', '-E', 'UTF8']);

  const postmasterPid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pg = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async start() {
      // Spawned (not `pg_ctl start`) so this process reaps the postmaster: a killed, unreaped postmaster stays a
      // zombie whose pid still answers kill(0), and the next start would refuse ("another postmaster running").
      // fsync off: a killed postmaster is not a crashed kernel, the page cache keeps what was written.
      const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60', '-c', 'shared_buffers=32MB'];
      const out = openSync(logFile, 'a');
      const postgres = join(bin, 'postgres');
      child = asRoot ? spawn('runuser', ['-u', 'postgres', '--', postgres, ...args], { stdio: ['ignore', out, out] }) : spawn(postgres, args, { stdio: ['ignore', out, out] });
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      childExited = exited;
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during start-up:\n${pg.log().slice(-2000)}`);
        if (spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0) break;
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${pg.log().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      running = true;
    },
    async kill9() {
      const pid = postmasterPid();
      const children = childrenOf(pid);
      process.kill(pid, 'SIGKILL');
      for (const child of children) {
        try {
          process.kill(child, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      // A restart refuses to start while any old backend still holds the shared memory.
      const deadline = Date.now() + 10_000;
      while ([pid, ...children].some(alive)) {
        if (Date.now() > deadline) throw new Error(`postgres processes still alive 10 s after SIGKILL: ${[pid, ...children].filter(alive).join(' ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await childExited;
      running = false;
    },
    async destroy() {
      if (running || existsSync(join(data, 'postmaster.pid'))) await pg.kill9().catch(() => undefined);
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pg;
}
