import type { CartSnapshot } from '../../../models/checkouts';
import { SignedLinks } from '../links/signed-links';
import { buildTemplateContext, TemplateContext, TemplateContextInput } from './template-context';

/** Test helper: a realistic context, hostile fields on request. */
export const TEST_LINKS = new SignedLinks('https://recover.example.com', 'test-secret');

export const TEST_CART: CartSnapshot = {
  currency: 'USD',
  value: 84.5,
  items: [
    { sku: 'TEE-1', name: 'Organic cotton tee', quantity: 2, unit_price: 19.5, image_url: 'https://cdn.example.com/tee.jpg?w=128&h=128', url: 'https://shop.example.com/p/tee' },
    { sku: 'CAP-2', name: 'Canvas cap', quantity: 1, unit_price: 45.5, image_url: 'https://cdn.example.com/cap.jpg' },
  ],
};

export function testContext(overrides: Partial<TemplateContextInput> = {}): TemplateContext {
  return buildTemplateContext({
    messageId: '2f1d6c1e-0d3e-4c55-9a3f-1f0e7c2b9a10',
    channel: 'email',
    links: TEST_LINKS,
    resumeUrl: 'https://shop.example.com/checkout/resume?token=abc&utm_source=recovery',
    brandName: 'Acme Outfitters',
    cart: TEST_CART,
    customer: { firstName: 'Ann', email: 'ann@example.com' },
    locale: 'en-US',
    ...overrides,
  });
}
