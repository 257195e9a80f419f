// The secret rules of `image.secret`: one entry per kind of credential, with
// an id (stable, shown in reports and usable in ignore files), a severity,
// keywords (cheap prefilter: a rule's regex runs only on text that holds one
// of them, compared case-insensitively) and a regex whose group `secret`
// is the part that gets masked. Documented in docs/content.md.
import type { Severity } from '../alerts/types.js';

export interface SecretRule {
  id: string;
  title: string;
  severity: Severity;
  /** Lower-case strings, one of which must occur in the text. */
  keywords: string[];
  /** Global regex with a named group `secret`. */
  regex: RegExp;
  /** Only in files whose base name matches (generic rules stay off source code). */
  files?: RegExp;
}

// Values that are placeholders, variables or documentation, never real secrets.
export const SAFE_VALUE =
  /example|sample|dummy|placeholder|changeme|change_me|your[_-]?|xxxx|\*{3}|^\$|\$\{|\{\{|%\(|<[^>]*>|^(true|false|null|none|undefined|password|secret|required|optional)$/i;

const CONFIG_FILES =
  /(^\.env(\..*)?$|\.(env|conf|cfg|cnf|ini|properties|ya?ml|toml|json|xml|netrc|npmrc|pypirc)$|^(credentials|\.netrc|\.npmrc|\.pypirc|\.pgpass|\.git-credentials|settings\.py|wp-config\.php|config\.php|local_settings\.py)$)/i;

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    title: 'Private key',
    severity: 'high',
    keywords: ['private key'],
    regex: /-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----(?<secret>[\s\S]{16,}?)-----END[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----/g,
  },
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'critical',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    regex: /(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Z0-9])/g,
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    severity: 'critical',
    keywords: ['aws_secret', 'aws-secret', 'awssecret', 'secret_access_key', 'secretaccesskey'],
    regex: /(?:aws)?_?(?:secret)_?(?:access)?_?key["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
  },
  {
    id: 'gcp-service-account-key',
    title: 'Google Cloud service account key',
    severity: 'critical',
    keywords: ['private_key_id'],
    regex: /"private_key_id"\s*:\s*"(?<secret>[0-9a-f]{40})"/g,
  },
  {
    id: 'gcp-api-key',
    title: 'Google API key',
    severity: 'high',
    keywords: ['aiza'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
  },
  {
    id: 'azure-storage-account-key',
    title: 'Azure storage account key',
    severity: 'critical',
    keywords: ['accountkey='],
    regex: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/g,
  },
  {
    id: 'azure-client-secret',
    title: 'Azure AD client secret',
    severity: 'high',
    keywords: ['azure_client_secret', 'azure-client-secret', 'client_secret'],
    regex: /(?:azure_)?client_secret["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34})/gi,
  },
  {
    id: 'github-token',
    title: 'GitHub token',
    severity: 'critical',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
  },
  {
    id: 'gitlab-token',
    title: 'GitLab personal access token',
    severity: 'critical',
    keywords: ['glpat-'],
    regex: /(?<secret>glpat-[A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])/g,
  },
  {
    id: 'slack-token',
    title: 'Slack token',
    severity: 'high',
    keywords: ['xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-'],
    regex: /(?<secret>xox[abprs]-[0-9A-Za-z]{10,48}(?:-[0-9A-Za-z]{10,48}){1,4})/g,
  },
  {
    id: 'slack-webhook',
    title: 'Slack incoming webhook URL',
    severity: 'medium',
    keywords: ['hooks.slack.com'],
    regex: /hooks\.slack\.com\/services\/(?<secret>T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24})/g,
  },
  {
    id: 'stripe-secret-key',
    title: 'Stripe secret key',
    severity: 'critical',
    keywords: ['sk_live_', 'rk_live_'],
    regex: /(?<secret>[sr]k_live_[0-9A-Za-z]{24,99})/g,
  },
  {
    id: 'npm-token',
    title: 'npm access token',
    severity: 'critical',
    keywords: ['npm_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g,
  },
  {
    id: 'url-credentials',
    title: 'Password in a URL',
    severity: 'high',
    keywords: ['://'],
    regex: /\b(?:https?|ftp|postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp|ldap)s?:\/\/[A-Za-z0-9._%-]{1,64}:(?<secret>[^@\s/"'`]{6,128})@[A-Za-z0-9.-]+/g,
  },
  {
    id: 'generic-password',
    title: 'Password or secret assignment',
    severity: 'medium',
    keywords: ['pass', 'pwd', 'secret', 'token', 'api_key', 'apikey'],
    regex:
      /^[ \t]*["']?[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|secret_?key|api_?key|auth_?token|access_?token)["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9!#%&*+./:;?@^_|~=-]{8,128})["']?[ \t]*,?[ \t]*$/gim,
    files: CONFIG_FILES,
  },
];
