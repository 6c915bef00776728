import { AUTHORITIES_2023, type Authority2023 } from './authorities.data.js';

const byCode = new Map(AUTHORITIES_2023.map((a) => [a.code, a]));

/** The 63 provincial-level units (tỉnh, thành phố trực thuộc trung ương) in force from 2023. */
export function findAuthority(code: string): Authority2023 | undefined {
  return byCode.get(code);
}

export function isKnownAuthorityCode(code: string): boolean {
  return byCode.has(code);
}

export function allAuthorities(): readonly Authority2023[] {
  return AUTHORITIES_2023;
}
