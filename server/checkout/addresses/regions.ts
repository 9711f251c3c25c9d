/**
 * Region codes for the countries whose carriers and payment processors want a code, not free text:
 * US states, DC, territories and military "states" (USPS); Canadian provinces and territories (Canada Post,
 * English and French names); Australian states and territories (Australia Post).
 */
export interface RegionList {
  /** How the country calls its regions, for messages: "a state", "a province or territory". */
  kind: string;
  example: string;
  /** code → the names it is also written as. */
  names: Record<string, string[]>;
}

const US: RegionList = {
  kind: 'state',
  example: 'CA',
  names: {
    AL: ['Alabama'], AK: ['Alaska'], AZ: ['Arizona'], AR: ['Arkansas'], CA: ['California'], CO: ['Colorado'],
    CT: ['Connecticut'], DE: ['Delaware'], DC: ['District of Columbia', 'Washington DC'], FL: ['Florida'],
    GA: ['Georgia'], HI: ['Hawaii'], ID: ['Idaho'], IL: ['Illinois'], IN: ['Indiana'], IA: ['Iowa'], KS: ['Kansas'],
    KY: ['Kentucky'], LA: ['Louisiana'], ME: ['Maine'], MD: ['Maryland'], MA: ['Massachusetts'], MI: ['Michigan'],
    MN: ['Minnesota'], MS: ['Mississippi'], MO: ['Missouri'], MT: ['Montana'], NE: ['Nebraska'], NV: ['Nevada'],
    NH: ['New Hampshire'], NJ: ['New Jersey'], NM: ['New Mexico'], NY: ['New York'], NC: ['North Carolina'],
    ND: ['North Dakota'], OH: ['Ohio'], OK: ['Oklahoma'], OR: ['Oregon'], PA: ['Pennsylvania'], RI: ['Rhode Island'],
    SC: ['South Carolina'], SD: ['South Dakota'], TN: ['Tennessee'], TX: ['Texas'], UT: ['Utah'], VT: ['Vermont'],
    VA: ['Virginia'], WA: ['Washington'], WV: ['West Virginia'], WI: ['Wisconsin'], WY: ['Wyoming'],
    AS: ['American Samoa'], GU: ['Guam'], MP: ['Northern Mariana Islands'], PR: ['Puerto Rico'],
    VI: ['US Virgin Islands', 'Virgin Islands'], UM: ['United States Minor Outlying Islands'],
    AA: ['Armed Forces Americas'], AE: ['Armed Forces Europe'], AP: ['Armed Forces Pacific'],
  },
};

const CA: RegionList = {
  kind: 'province or territory',
  example: 'ON',
  names: {
    AB: ['Alberta'], BC: ['British Columbia', 'Colombie-Britannique'], MB: ['Manitoba'],
    NB: ['New Brunswick', 'Nouveau-Brunswick'], NL: ['Newfoundland and Labrador', 'Newfoundland', 'Terre-Neuve-et-Labrador'],
    NS: ['Nova Scotia', 'Nouvelle-Écosse'], NT: ['Northwest Territories', 'Territoires du Nord-Ouest'], NU: ['Nunavut'],
    ON: ['Ontario'], PE: ['Prince Edward Island', 'Île-du-Prince-Édouard'], QC: ['Quebec', 'Québec'],
    SK: ['Saskatchewan'], YT: ['Yukon', 'Yukon Territory'],
  },
};

const AU: RegionList = {
  kind: 'state or territory',
  example: 'NSW',
  names: {
    ACT: ['Australian Capital Territory'], NSW: ['New South Wales'], NT: ['Northern Territory'], QLD: ['Queensland'],
    SA: ['South Australia'], TAS: ['Tasmania'], VIC: ['Victoria'], WA: ['Western Australia'],
  },
};

export const REGION_LISTS: Readonly<Record<string, RegionList>> = { US, CA, AU };

/** Upper case, no accents, no dots, `&` as "and", single spaces: "N.S.W." → "NSW", "Québec" → "QUEBEC". */
function key(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\./g, '')
    .replace(/&/g, ' and ')
    .replace(/[\s-]+/g, ' ')
    .trim()
    .toUpperCase();
}

const INDEX: ReadonlyMap<RegionList, ReadonlyMap<string, string>> = new Map(
  Object.values(REGION_LISTS).map((list) => [
    list,
    new Map(Object.entries(list.names).flatMap(([code, names]) => [[code, code], ...names.map((name) => [key(name), code] as [string, string])])),
  ]),
);

/** The code of a region written as its code or one of its names, in any case; null when not in the list. */
export function regionCode(list: RegionList, text: string): string | null {
  return INDEX.get(list)?.get(key(text)) ?? null;
}
