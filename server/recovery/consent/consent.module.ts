import { Module } from '@nestjs/common';
import { OptOutService } from './opt-out.service';

/** Opt-outs (unsubscribe links, SMS STOP, provider refusals), shared by the engine and the channels. */
@Module({ providers: [OptOutService], exports: [OptOutService] })
export class ConsentModule {}
