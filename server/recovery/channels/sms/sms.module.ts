import { Module } from '@nestjs/common';

/** The sms channel (being written): exports its ChannelSender as SMS_SENDER. */
@Module({})
export class SmsChannelModule {}
