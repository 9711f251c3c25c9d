import { describe, expect, it } from 'vitest';
import { isSingleCase, tidyCase, titleCase } from './text-case';

describe('text case', () => {
  it.each([
    ['123 MAIN STREET', '123 Main Street'],
    ['123 main street', '123 Main Street'],
    ['42 mcdonald avenue', '42 McDonald Avenue'],
    ["7 o'brien lane", "7 O'Brien Lane"],
    ['12b baker street', '12B Baker Street'],
    ['350 5th avenue', '350 5th Avenue'],
    ['1 W 42ND ST', '1 W 42nd St'],
    ['APT 4B', 'Apt 4B'],
    ['PO BOX 123', 'PO Box 123'],
    ['100 MAIN ST NW', '100 Main St NW'],
    ['rue de la paix', 'Rue de la Paix'],
    ['aix-en-provence', 'Aix-en-Provence'],
    ['STRATFORD-UPON-AVON', 'Stratford-upon-Avon'],
    ['frankfurt am main', 'Frankfurt am Main'],
    ['RIO DE JANEIRO', 'Rio de Janeiro'],
    ['saint-étienne', 'Saint-Étienne'],
    ['MÜNCHEN', 'München'],
    ['den haag', 'Den Haag'],
    ['louis xiv street', 'Louis XIV Street'],
  ])('title-cases %j as %j', (typed, expected) => {
    expect(titleCase(typed)).toBe(expected);
  });

  it('only changes text typed in a single case', () => {
    expect(tidyCase('NEW YORK')).toBe('New York');
    expect(tidyCase('new york')).toBe('New York');
    expect(tidyCase('MacArthur Blvd')).toBe('MacArthur Blvd');
    expect(tidyCase('1 rue de la Paix')).toBe('1 rue de la Paix');
    expect(tidyCase('iPhone House')).toBe('iPhone House');
    expect(tidyCase('12')).toBe('12');
  });

  it('counts a single case by letters only, at least two of them', () => {
    expect(isSingleCase('12 B')).toBe(false);
    expect(isSingleCase('12 BC')).toBe(true);
    expect(isSingleCase('東京')).toBe(true);
    expect(isSingleCase('Main St')).toBe(false);
  });
});
