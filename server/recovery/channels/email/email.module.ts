import { Module } from '@nestjs/common';

/** The email channel (being written): exports its ChannelSender as EMAIL_SENDER. */
@Module({})
export class EmailChannelModule {}
