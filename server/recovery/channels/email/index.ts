export * from './email-sender';
export * from './email-tracking';
export { EmailChannelModule } from './email.module';
