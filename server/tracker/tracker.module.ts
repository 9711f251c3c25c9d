import { Module } from '@nestjs/common';
import { TrackerController } from './tracker.controller';

/** `GET /tracker.js`: the browser tracker storefronts embed. */
@Module({ controllers: [TrackerController] })
export class TrackerModule {}
