import { z } from 'zod';
import type { CartItem } from '../../../models/checkouts';
import { cartSnapshot } from '../cart';
import { classifyDevice } from '../device';
import { currencyCode, httpUrl, ipAddress, locale, money, timezone } from '../field-rules';
import type { EventContext, EventType, NormalizedEvent } from '../normalized-event';
import { compact, isAbsent, isObject, Reader, textField } from './segment-reader';

export type Ecommerce = 'checkout_started' | 'checkout_step_viewed' | 'checkout_step_completed' | 'payment_entered' | 'order_completed' | 'cart_viewed' | 'product_added' | 'product_removed';

export interface ReadContext {
  event: EventContext;
  timezone?: string;
  locale?: string;
  traits: Record<string, unknown>;
}

export function readContext(context: Record<string, unknown>, r: Reader): ReadContext {
  const userAgent = r.text(context.userAgent, 'context.userAgent', textField(2000));
  const ip = r.text(context.ip, 'context.ip', ipAddress);
  const page = compact(readPage(r.object(context.page, 'context.page'), 'context.page', r));
  const campaign = r.object(context.campaign, 'context.campaign');
  const utm = compact({
    source: r.text(campaign.source, 'context.campaign.source', textField(500)),
    medium: r.text(campaign.medium, 'context.campaign.medium', textField(500)),
    campaign: r.text(campaign.name, 'context.campaign.name', textField(500)),
    term: r.text(campaign.term, 'context.campaign.term', textField(500)),
    content: r.text(campaign.content, 'context.campaign.content', textField(500)),
  });
  return {
    event: {
      device: classifyDevice(userAgent),
      userAgent,
      page: Object.keys(page).length > 0 ? page : undefined,
      ip,
      utm: Object.keys(utm).length > 0 ? utm : undefined,
    },
    timezone: r.text(context.timezone, 'context.timezone', timezone),
    locale: r.text(context.locale, 'context.locale', locale),
    traits: r.object(context.traits, 'context.traits'),
  };
}

export function readPage(page: Record<string, unknown>, path: string, r: Reader): NonNullable<EventContext['page']> {
  return {
    url: r.text(page.url, `${path}.url`, httpUrl),
    path: r.text(page.path, `${path}.path`, textField(4096)),
    title: r.text(page.title, `${path}.title`, textField(1000)),
    referrer: r.text(page.referrer, `${path}.referrer`, textField(4096)),
  };
}

export function readEcommerce(
  ecommerce: Ecommerce,
  eventName: string,
  props: Record<string, unknown>,
  r: Reader,
  defaultCurrency: string,
): { type: EventType; refs: NormalizedEvent['refs']; cart?: NormalizedEvent['cart']; order?: NormalizedEvent['order'] } {
  let type: EventType;
  if (ecommerce === 'checkout_step_completed') {
    // Segment's step events carry no stage, only what the step collected: a payment method proves the payment
    // step was completed, else a shipping method proves the shipping step was; otherwise it is progress we cannot place.
    type = !isAbsent(props.payment_method) ? 'payment_entered' : !isAbsent(props.shipping_method) ? 'shipping_entered' : 'checkout_step_viewed';
  } else {
    type = ecommerce;
  }

  const refs = {
    checkoutId: r.id(props.checkout_id, 'properties.checkout_id'),
    orderId: r.id(props.order_id, 'properties.order_id'),
    cartId: r.id(props.cart_id, 'properties.cart_id'),
  };
  if (isAbsent(props.checkout_id) && isAbsent(props.order_id) && isAbsent(props.cart_id)) {
    r.add('properties.checkout_id', `is required for "${eventName}" (or properties.order_id or properties.cart_id), to know which checkout it belongs to`);
  }

  const amount = (field: string) => (isAbsent(props[field]) ? undefined : r.run(money, props[field], `properties.${field}`, 'must be a number'));
  const value = amount('value');
  const revenue = amount('revenue');
  const total = amount('total');
  // The spec does not require a currency; an event without one is in the source's currency.
  const currency = isAbsent(props.currency)
    ? defaultCurrency
    : r.text(typeof props.currency === 'string' ? props.currency.toUpperCase() : props.currency, 'properties.currency', currencyCode);

  let order: NormalizedEvent['order'];
  if (type === 'order_completed') {
    if (isAbsent(props.order_id)) r.add('properties.order_id', `is required for "${eventName}"`);
    const orderRevenue = revenue ?? total;
    if (isAbsent(props.revenue) && isAbsent(props.total)) r.add('properties.revenue', `is required for "${eventName}" (properties.revenue or properties.total, a number ≥ 0)`);
    if (refs.orderId !== undefined && orderRevenue !== undefined) order = { orderId: refs.orderId, revenue: orderRevenue, currency };
  }

  let cart: NormalizedEvent['cart'];
  // Product Added / Removed describe one product, not the cart: they say nothing about what the cart holds.
  if (!isAbsent(props.products) && type !== 'product_added' && type !== 'product_removed') {
    if (!Array.isArray(props.products)) {
      r.add('properties.products', 'must be an array of products');
    } else {
      const items = readProducts(props.products, r);
      if (items && currency !== undefined) cart = cartSnapshot(items, currency, value ?? revenue ?? total);
    }
  }
  return { type, refs, cart, order };
}

function readProducts(products: unknown[], r: Reader): CartItem[] | undefined {
  if (products.length > 500) {
    r.add('properties.products', 'at most 500 products');
    return undefined;
  }
  const before = r.count();
  const items = products.map((product, i): CartItem => {
    const path = `properties.products[${i}]`;
    if (!isObject(product)) {
      r.add(path, 'must be an object');
      return { sku: '', quantity: 0, unit_price: 0 };
    }
    const sku = isAbsent(product.product_id) ? r.id(product.sku, `${path}.sku`) : r.id(product.product_id, `${path}.product_id`);
    if (isAbsent(product.product_id) && isAbsent(product.sku)) r.add(`${path}.product_id`, 'is required (or sku)');
    const quantity = isAbsent(product.quantity)
      ? 1
      : r.run(z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000), product.quantity, `${path}.quantity`, 'must be a number');
    if (isAbsent(product.price)) r.add(`${path}.price`, 'is required (a number ≥ 0)');
    const price = isAbsent(product.price) ? undefined : r.run(money, product.price, `${path}.price`, 'must be a number');
    return compact({
      sku: sku ?? '',
      name: r.text(product.name, `${path}.name`, textField(500)),
      quantity: quantity ?? 0,
      unit_price: price ?? 0,
      image_url: r.text(product.image_url, `${path}.image_url`, httpUrl),
      url: r.text(product.url, `${path}.url`, httpUrl),
    });
  });
  return r.count() > before ? undefined : items;
}
