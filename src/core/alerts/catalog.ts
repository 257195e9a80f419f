// The alert catalog of docs/product.md section 5. Type IDs are stable: rules,
// tests, API filters and the console use them. One entry per type.
import type { Severity } from './types.js';

export type AlertCategory = 'malware' | 'exploit' | 'system' | 'container' | 'command' | 'user' | 'network' | 'cluster';

export interface AlertTypeInfo {
  id: string;
  category: AlertCategory;
  /** The seed's name (Chinese), for traceability. */
  seedName: string;
  title: string;
  defaultSeverity: Severity;
  detection: string;
}

const t = (id: string, seedName: string, title: string, defaultSeverity: Severity, detection: string): AlertTypeInfo => ({
  id,
  category: id.split('/')[0] as AlertCategory,
  seedName,
  title,
  defaultSeverity,
  detection,
});

// prettier-ignore
export const ALERT_CATALOG: readonly AlertTypeInfo[] = [
  t('malware/unclassified', '未分类恶意软件', 'Unclassified malware', 'high', 'file signatures and hashes, on exec and in image scans'),
  t('malware/ransomware', '勒索软件', 'Ransomware', 'critical', 'signatures; mass rename/encrypt behaviour'),
  t('malware/webshell', 'Webshell', 'Webshell', 'critical', 'PHP/JSP/ASP webshell signatures in web directories'),
  t('malware/hacktool', '黑客工具', 'Hacker tool', 'high', 'known attack tools by name, hash and behaviour'),
  t('exploit/escape-vulnerability', '漏洞逃逸攻击', 'Container escape exploit', 'critical', 'process behaviour matching known escape exploits (DirtyCow, runc, shocker, release_agent)'),
  t('exploit/escape-file', '文件逃逸攻击', 'Container escape through host files', 'critical', 'a container process touching host key files, even through an allowed mount'),
  t('system/reverse-shell', '反弹Shell', 'Reverse shell', 'critical', 'a shell whose stdin/stdout is a network socket'),
  t('system/file-privilege-escalation', '文件提权', 'Privilege escalation through files', 'high', 'abuse of SUID/SGID programs to gain root'),
  t('system/process-privilege-escalation', '进程提权', 'Process privilege escalation', 'critical', 'a process gaining uid 0 or capabilities without a legitimate path'),
  t('system/key-file-change', '关键文件变更', 'Key file changed', 'high', 'content change of key system binaries'),
  t('system/abnormal-process-behavior', '进程异常行为', 'Abnormal process behaviour', 'medium', 'abnormal CPU use, connections to malicious IPs, abnormal numbers of connections'),
  t('system/high-risk-syscall', '高危系统调用', 'High-risk system call', 'high', 'sensitive system calls from a container'),
  t('system/high-risk-command', '高危命令执行', 'High-risk command', 'high', 'dangerous commands (rm -rf /, chmod 777 /, history wiping, disabling security tools)'),
  t('container/malicious-program', '容器恶意程序', 'Malicious program in a container', 'critical', 'process file fingerprint or behaviour matches known malware'),
  t('container/abnormal-process', '容器异常进程', 'Abnormal container process', 'medium', 'process outside the image whitelist'),
  t('container/sensitive-file-access', '敏感文件访问', 'Sensitive file access', 'high', 'change in a protected path'),
  t('container/abnormal-startup', '容器异常启动', 'Abnormal container start', 'medium', 'unsafe security options, dangerous mounts, host namespaces at start'),
  t('container/image-blocked', '容器镜像阻断', 'Container image blocked', 'high', 'start refused by the image admission policy'),
  t('command/scheduled-task', '可疑命令执行', 'Scheduled task changed', 'medium', 'creation or deletion of cron jobs, systemd units, rc scripts'),
  t('command/remote-execution', '可疑命令执行', 'Suspicious remote execution', 'high', 'download and execute (curl|sh)'),
  t('user/illegal-account', '非法系统用户账号', 'Illegal system account', 'high', 'hidden or clone accounts (uid 0 besides root, duplicate uids)'),
  t('user/brute-force', '暴力破解', 'Brute force', 'high', 'login failures over a threshold; attempt and success'),
  t('user/password-theft', '用户密码窃取', 'Password theft', 'high', 'reading /etc/shadow, SSH private keys, credential stores'),
  t('network/abnormal-outbound', '异常外联', 'Abnormal outbound connection', 'high', 'connections to IPs on a threat list'),
  t('network/port-forwarding', '端口转发检测', 'Port forwarding', 'medium', 'port-forwarding tools (socat, ssh -L/-R, frp, iptables DNAT)'),
  t('cluster/pod-abnormal', 'Pod异常行为', 'Abnormal pod', 'high', 'privileged, static or sensitively configured pods; exec/attach/port-forward/ephemeral containers'),
  t('cluster/user-enumeration', '枚举用户信息', 'Permission enumeration', 'medium', 'SelfSubjectRulesReview/AccessReview, bursts of forbidden requests'),
  t('cluster/role-binding', '绑定集群用户角色', 'High-privilege role binding', 'high', 'high-privilege ClusterRoles and bindings, service accounts in kube-system/kube-public'),
  t('cluster/event-deletion', 'Kubernetes事件删除', 'Kubernetes event deletion', 'medium', 'deletion of Kubernetes Event objects'),
];

const byId = new Map<string, AlertTypeInfo>();
for (const a of ALERT_CATALOG) {
  if (byId.has(a.id)) throw new Error(`duplicate alert type ${a.id}`);
  byId.set(a.id, a);
}

export function alertType(id: string): AlertTypeInfo | undefined {
  return byId.get(id);
}

export function isCatalogType(id: string): boolean {
  return byId.has(id);
}

/** Type of an alert raised by a rule that names no catalog type. */
export function customType(ruleName: string): string {
  return `custom/${ruleName}`;
}
