import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [swc.vite({ swcrc: false, module: { type: 'es6' }, jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' } })],
  test: {
    include: ['server/**/*.spec.ts', 'campaigns/**/*.spec.ts', 'ml/**/*.spec.ts', 'models/**/*.spec.ts', 'e2e/**/*.e2e-spec.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Test workers (and the servers they spawn) trust the CA of the HTTPS protocol peers (Adyen). Node reads this
    // only at start-up, which is why it is set here, for the forked workers, rather than in a test.
    env: { NODE_EXTRA_CA_CERTS: resolve('e2e/peers/tls/ca.pem') },
  },
});
