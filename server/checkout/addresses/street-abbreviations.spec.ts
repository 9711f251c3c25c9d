import { describe, expect, it } from 'vitest';
import { abbreviateStreet } from './street-abbreviations';

describe('street abbreviations', () => {
  it.each([
    ['123 Main Street', '123 Main St'],
    ['1 Fifth Avenue', '1 Fifth Ave'],
    ['9 Sunset Boulevard', '9 Sunset Blvd'],
    ['4 Elm Road', '4 Elm Rd'],
    ['5 Oak Drive', '5 Oak Dr'],
    ['6 Pine Lane', '6 Pine Ln'],
    ['7 Park Court', '7 Park Ct'],
    ['8 Union Square', '8 Union Sq'],
    ['2 Garden State Parkway', '2 Garden State Pkwy'],
    ['Suite 400', 'Ste 400'],
    ['Apartment 4B', 'Apt 4B'],
    ['Building 7, Floor 3, Room 12', 'Bldg 7, Fl 3, Rm 12'],
    ['12 main STREET', '12 main St'],
    ['1 Pacific Highway', '1 Pacific Hwy'],
    ['10 Bay Ave.', '10 Bay Ave'],
    ['10 Bay St., Ste. 5', '10 Bay St, Ste 5'],
  ])('%j → %j', (typed, expected) => {
    expect(abbreviateStreet(typed)).toBe(expected);
  });

  it('leaves words that only contain a street type, and other full stops', () => {
    expect(abbreviateStreet('1 Streetsville Rd')).toBe('1 Streetsville Rd');
    expect(abbreviateStreet('Placeholder Avenues Co.')).toBe('Placeholder Avenues Co.');
    expect(abbreviateStreet('J. Smith')).toBe('J. Smith');
  });
});
