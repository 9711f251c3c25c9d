/**
 * The standard abbreviations of street suffixes and secondary unit designators that US and Canadian posts
 * print (USPS Publication 28, appendices C1 and C2; Canada Post's English street types): "Street" → "St",
 * "Suite" → "Ste". Words are matched whole and in any case; a trailing full stop goes ("Ave." → "Ave").
 */

const ABBREVIATIONS: Readonly<Record<string, string>> = {
  alley: 'Aly', apartment: 'Apt', avenue: 'Ave', basement: 'Bsmt', boulevard: 'Blvd', building: 'Bldg',
  circle: 'Cir', court: 'Ct', crescent: 'Cres', department: 'Dept', drive: 'Dr', expressway: 'Expy',
  floor: 'Fl', freeway: 'Fwy', highway: 'Hwy', lane: 'Ln', parkway: 'Pkwy', place: 'Pl', road: 'Rd',
  room: 'Rm', square: 'Sq', street: 'St', suite: 'Ste', terrace: 'Ter', trail: 'Trl',
};

const CANONICAL = new Set(Object.values(ABBREVIATIONS).map((abbreviation) => abbreviation.toLowerCase()));

export function abbreviateStreet(line: string): string {
  return line.replace(/(?<![\p{L}\p{N}'’])(\p{L}+)(\.?)(?![\p{L}\p{N}'’])/gu, (match, word: string) => {
    const lower = word.toLowerCase();
    const abbreviation = ABBREVIATIONS[lower];
    if (abbreviation) return abbreviation;
    if (CANONICAL.has(lower) && match.endsWith('.')) return word;
    return match;
  });
}
