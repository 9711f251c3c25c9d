import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';

/** English, with the sign-in form asking for the email the API expects. */
export const i18nProvider = polyglotI18nProvider(
  () => ({ ...englishMessages, ra: { ...englishMessages.ra, auth: { ...englishMessages.ra.auth, username: 'Email' } } }),
  'en',
  { allowMissing: true },
);
