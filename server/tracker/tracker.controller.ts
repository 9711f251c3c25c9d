import { Controller, Get, Header } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../database/project-root';

/** Serves the browser tracker (placeholder until the tracker lands). */
@Controller()
export class TrackerController {
  private readonly script = readFileSync(join(projectRoot(), 'server', 'tracker', 'tracker.js'), 'utf8');

  @Get('tracker.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  tracker(): string {
    return this.script;
  }
}
