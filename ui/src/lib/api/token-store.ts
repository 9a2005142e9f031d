/**
 * The viewer token lives in localStorage so a reload does not ask again. Storage can be unavailable
 * (private windows, disabled cookies); the UI then still works for this page load only.
 */
const KEY = 'supergrep.token';

let memoryFallback: string | undefined;

export function loadToken(): string | undefined {
  try {
    return window.localStorage.getItem(KEY) ?? memoryFallback;
  } catch {
    // Storage is blocked; the in-memory copy is all there is.
    return memoryFallback;
  }
}

export function saveToken(token: string): void {
  memoryFallback = token;
  try {
    window.localStorage.setItem(KEY, token);
  } catch {
    // Storage is blocked: keep the token in memory for this page load.
  }
}

export function clearToken(): void {
  memoryFallback = undefined;
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    // Storage is blocked; clearing the memory copy is enough.
  }
}
