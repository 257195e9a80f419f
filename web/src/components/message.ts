// The console's toasts (antd's `message`), loaded on first use: the module
// (~9 KB gzip with its notification host) is not part of any page's initial
// JavaScript. Same calls as antd's static API: message.success(text).
type Kind = 'success' | 'error' | 'info' | 'warning';

const show = (kind: Kind, content: string): Promise<void> =>
  import('antd/es/message').then(
    (m) => void m.default[kind](content),
    () => undefined,
  );

export const message = {
  success: (content: string) => show('success', content),
  error: (content: string) => show('error', content),
  info: (content: string) => show('info', content),
  warning: (content: string) => show('warning', content),
};
