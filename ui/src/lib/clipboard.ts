/**
 * navigator.clipboard exists only in secure contexts (https, or localhost); a hub on plain http
 * inside a private network has none. Callers fall back to showing the text for a manual copy.
 */
export async function writeClipboard(text: string): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.clipboard?.writeText) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Denied permission or no user activation: the caller offers the manual copy instead.
    return false;
  }
}
