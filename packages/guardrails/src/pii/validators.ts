import { isIPv4, isIPv6 } from 'node:net';

/** Luhn checksum (ISO/IEC 7812-1) over the digits of a card number. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card networks by prefix and length (ISO/IEC 7812 issuer identification numbers). */
export function cardNetwork(digits: string): string | null {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if (
    (p4 === 6011 ||
      p2 === 65 ||
      (p6 >= 622126 && p6 <= 622925) ||
      (Number(digits.slice(0, 3)) >= 644 && Number(digits.slice(0, 3)) <= 649)) &&
    n >= 16 &&
    n <= 19
  )
    return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  // Legacy JCB: 15 digits starting 1800 or 2131.
  if ((p4 === 1800 || p4 === 2131) && n === 15) return 'jcb';
  if (
    (p2 === 36 || p2 === 38 || (Number(digits.slice(0, 3)) >= 300 && Number(digits.slice(0, 3)) <= 305)) &&
    n >= 14 &&
    n <= 19
  )
    return 'diners';
  if (digits.startsWith('62') && n >= 16 && n <= 19) return 'unionpay';
  // Maestro: 12 to 19 digits, IINs 50, 56 to 58 and 6 (where no network above claimed the number).
  if ((p2 === 50 || (p2 >= 56 && p2 <= 58) || digits[0] === '6') && n >= 12 && n <= 19) return 'maestro';
  return null;
}

/** IBAN lengths by country (SWIFT IBAN registry). */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  // Registry additions since 2016 and countries in IBAN's experimental list.
  IR: 26,
  LY: 25,
  SD: 18,
  BI: 27,
  DJ: 27,
  SO: 23,
  NI: 28,
  RU: 33,
  FK: 18,
  OM: 23,
  YE: 30,
  MN: 20,
  DZ: 26,
  AO: 25,
  BF: 28,
  BJ: 28,
  CI: 28,
  CM: 27,
  CV: 25,
  GA: 27,
  GQ: 27,
  GW: 25,
  HN: 28,
  KM: 27,
  MA: 28,
  MG: 27,
  ML: 28,
  MZ: 25,
  NE: 28,
  SN: 28,
  TD: 27,
  TG: 28,
  CF: 27,
  CG: 27,
};

/** IBAN: known country, its length, and the ISO 13616 mod-97 check equal to 1. */
export function validIban(compact: string): boolean {
  const iban = compact.toUpperCase();
  if (IBAN_LENGTH[iban.slice(0, 2)] !== iban.length) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const d of value) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** US SSN rules (SSA): area not 000, 666 or 900-999; group not 00; serial not 0000. */
export function validSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

export const validIPv4 = (s: string) => isIPv4(s);
// Prose like "a::b" is a valid address too: require a digit, as real addresses almost always have.
export const validIPv6 = (s: string) => isIPv6(s) && /\d/.test(s) && s.split(':').length >= 3;

/** A JWT: three base64url parts, the first decoding to a JSON header with `alg`. */
export function validJwt(token: string): boolean {
  const [head] = token.split('.');
  try {
    const json = JSON.parse(Buffer.from(head!, 'base64url').toString('utf8'));
    return typeof json === 'object' && json !== null && typeof json.alg === 'string';
  } catch {
    return false;
  }
}

/** E.164 allows at most 15 digits; national numbers have at least 7. A run of one digit is not a number. */
export function plausiblePhone(digits: string): boolean {
  if (digits.length < 7 || digits.length > 15) return false;
  return !/^(\d)\1+$/.test(digits);
}

/** Whether year-month-day is a real calendar date, not in the future. */
function realDate(year: number, month: number, day: number): boolean {
  const t = Date.UTC(year, month - 1, day);
  const d = new Date(t);
  return (
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && t <= Date.now()
  );
}

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** China's resident identity number (GB 11643-1999): a real birth date and its ISO 7064 MOD 11-2 check character. */
export function validCnResidentId(id: string): boolean {
  if (!realDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * CN_WEIGHTS[i]!;
  return '10X98765432'[sum % 11] === id[17]!.toUpperCase();
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spain's DNI (`12345678Z`) or NIE (`X1234567L`): the letter is the number modulo 23. */
export function validSpanishId(id: string): boolean {
  const compact = id.replace(/-/g, '').toUpperCase();
  const digits = compact.replace(/^[XYZ]/, (l) => String('XYZ'.indexOf(l)));
  return DNI_LETTERS[Number(digits.slice(0, 8)) % 23] === compact[8];
}

// Codice fiscale: the values of the characters in odd positions (1st, 3rd, …); digits as the letter of the same index.
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italy's codice fiscale (`RSSMRA85T10A562S`, letters in place of digits too): its check letter. */
export function validCodiceFiscale(code: string): boolean {
  const upper = code.toUpperCase();
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = upper.charCodeAt(i);
    const index = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? CF_ODD[index]! : index;
  }
  return upper.charCodeAt(15) === 65 + (sum % 26);
}

/** Brazil's CPF (`529.982.247-25`): its two mod-11 check digits; not eleven times one digit. */
export function validCpf(cpf: string): boolean {
  const d = cpf.replace(/\D/g, '');
  if (/^(\d)\1{10}$/.test(d)) return false;
  for (const n of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (d.charCodeAt(i) - 48) * (n + 1 - i);
    if (((sum * 10) % 11) % 10 !== d.charCodeAt(n) - 48) return false;
  }
  return true;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 8, 7, 6, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** The Verhoeff checksum over a string of digits (its last digit the check digit). */
export function verhoeff(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++)
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![digits.charCodeAt(digits.length - 1 - i) - 48]!]!;
  return c === 0;
}

/** France's NIR (social security number): a plausible month and its key, 97 less the number modulo 97. */
export function validNir(nir: string): boolean {
  const compact = nir.replace(/ /g, '').toUpperCase();
  const month = Number(compact.slice(3, 5));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false;
  // Corsica's departments 2A and 2B count as 19 and 18.
  const department = compact.slice(5, 7);
  const body = `${compact.slice(0, 5)}${department === '2A' ? '19' : department === '2B' ? '18' : department}${compact.slice(7, 13)}`;
  let rest = 0;
  for (let i = 0; i < 13; i++) rest = (rest * 10 + body.charCodeAt(i) - 48) % 97;
  return 97 - rest === Number(compact.slice(13));
}
