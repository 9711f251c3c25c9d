import { Module } from '@nestjs/common';

/** The push channel (being written): exports its ChannelSender as PUSH_SENDER. */
@Module({})
export class PushChannelModule {}
