// Checks shared by the policy documents that report POLICY_INVALID (the
// runtime policy of ./model.ts and the image admission policy of
// ../admission/policy.ts): every error names the field and the reason.
import { InputError } from '../errors.js';

export function policyInvalid(where: string, message: string): never {
  throw new InputError('POLICY_INVALID', message, where);
}

/** Refuses any key of `o` outside `keys`. */
export function onlyKeys(o: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) policyInvalid(`${where}.${k}`, `unknown field (expected one of ${keys.join(', ')})`);
}

/** A list of non-empty strings (absent or null: undefined), at most `maxEntries` of at most `maxChars` each. */
export function stringList(v: unknown, where: string, maxEntries: number, maxChars: number): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) policyInvalid(where, 'must be a list of strings');
  if (v.length > maxEntries) policyInvalid(where, `more than ${maxEntries} entries`);
  return v.map((s, i) => {
    if (typeof s !== 'string' || s.length === 0) policyInvalid(`${where}[${i}]`, 'must be a non-empty string');
    if (s.length > maxChars) policyInvalid(`${where}[${i}]`, `longer than ${maxChars} characters`);
    return s;
  });
}
