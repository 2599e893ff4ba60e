// The control-plane token of this browser tab: kept in sessionStorage (gone when the tab closes), never
// in a URL, a cookie or a log.
const KEY = 'switchyard.console.token';

export const session = {
  token(): string | null {
    return sessionStorage.getItem(KEY);
  },
  save(token: string): void {
    sessionStorage.setItem(KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
