/**
 * Title case for address text typed in ALL CAPS or all lower case. Mixed case is the customer's own choice
 * and is kept. Words keep their sense: "mcdonald" → "McDonald", "o'brien" → "O'Brien", "12b" → "12B",
 * "4th" stays "4th", "po box" → "PO Box", directions like "nw" stay upper case, and joining words inside a
 * name stay lower case ("rue de la paix" → "Rue de la Paix", "aix-en-provence" → "Aix-en-Provence").
 */

const JOINING_WORDS = new Set([
  'a', 'am', 'an', 'and', 'at', 'aan', 'da', 'das', 'de', 'del', 'della', 'den', 'der', 'des', 'di', 'do', 'dos', 'du',
  'el', 'en', 'et', 'het', 'im', 'in', 'la', 'le', 'les', 'of', 'on', 'op', 'sur', 'the', 'upon', 'van', 'von', 'y',
  'zu', 'zum', 'zur',
]);

const UPPER_WORDS = new Set(['po', 'nw', 'ne', 'sw', 'se']);

/** II to XXXIX: regnal numbers in street names ("Louis XIV"). */
const ROMAN = /^(?=[ivx]{2,}$)x{0,3}(ix|iv|v?i{0,3})$/;

const ORDINAL = /^\d+(st|nd|rd|th)$/;

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function caseWord(word: string, first: boolean): string {
  if (/^\d/.test(word)) return ORDINAL.test(word) ? word : word.toUpperCase();
  if (UPPER_WORDS.has(word) || ROMAN.test(word)) return word.toUpperCase();
  if (!first && JOINING_WORDS.has(word)) return word;
  const mc = /^mc(\p{L})(.*)$/u.exec(word);
  if (mc) return `Mc${mc[1].toUpperCase()}${mc[2]}`;
  return word.split(/(?<=['’])/).map(capitalise).join('');
}

/** True when the text's letters are all upper case or all lower case (and there are at least two). */
export function isSingleCase(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length >= 2 && (letters === letters.toUpperCase() || letters === letters.toLowerCase());
}

export function titleCase(text: string): string {
  let first = true;
  return text
    .toLowerCase()
    .split(/(\s+|-)/)
    .map((part) => {
      if (/^(\s+|-)$/.test(part) || part === '') return part;
      const cased = caseWord(part, first);
      first = false;
      return cased;
    })
    .join('');
}

/** Title case when typed in a single case, else as typed. */
export function tidyCase(text: string): string {
  return isSingleCase(text) ? titleCase(text) : text;
}
