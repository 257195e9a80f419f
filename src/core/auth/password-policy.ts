// Password rules after NIST SP 800-63B (section 5.1.1.2, memorized secrets):
// a minimum length and a generous maximum, no composition rules, and a check
// against values known to be common, expected or compromised: a common-password
// list shipped with Vigil (src/gen/common-passwords.ts), such a value with
// digits or symbols added around it, repetitive or sequential characters, and
// context-specific words (the user name, the service's name). Pure.
import { COMMON_PASSWORDS } from '../../gen/common-passwords.js';

export const MIN_PASSWORD_LENGTH = 8;
/** SP 800-63B: verifiers should permit at least 64 characters. */
export const MAX_PASSWORD_LENGTH = 256;

const SERVICE_WORDS = ['vigil'];

/** Repetitive (`aaaaaaaa`, `abcabcabc`) or sequential (`12345678`, `abcdefgh`, `87654321`, `qwertyui`) characters. */
function isPattern(p: string): boolean {
  const s = p.toLowerCase();
  for (let n = 1; n <= Math.floor(s.length / 2); n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return true;
  }
  const codes = [...s].map((c) => c.codePointAt(0)!);
  const steps = new Set(codes.slice(1).map((c, i) => c - codes[i]!));
  if (steps.size === 1 && Math.abs([...steps][0]!) === 1) return true;
  for (const row of ['qwertyuiopasdfghjklzxcvbnm', '1234567890', 'qwertzuiopasdfghjklyxcvbnm', 'azertyuiopqsdfghjklmwxcvbn']) {
    if (row.includes(s) || [...row].reverse().join('').includes(s)) return true;
  }
  return false;
}

/** Why a new password is refused (one sentence for the API), or undefined when it is acceptable. */
export function passwordProblem(password: string, context: { username?: string } = {}): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  // The common value itself, or with digits and symbols around it (`Password1!`, `2024qwerty`).
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (COMMON_PASSWORDS.has(lower) || (core.length >= 4 && COMMON_PASSWORDS.has(core))) return 'the password is on the list of commonly used passwords';
  if (isPattern(password)) return 'the password is a repetitive or sequential pattern';
  const user = (context.username ?? '').toLowerCase();
  for (const w of [...(user.length >= 3 ? [user] : []), ...SERVICE_WORDS]) {
    if (lower === w || core === w || (w.length >= 4 && lower.includes(w))) return 'the password must not contain the user name or the name of the service';
  }
  return undefined;
}
