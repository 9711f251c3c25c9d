import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** Serves the react-admin console (built by Vite into dist/admin) at /admin. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
