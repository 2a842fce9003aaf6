/**
 * The registry credential as containers-auth.json (`REGISTRY_AUTH_FILE` for buildah and skopeo):
 * `{"auths": {"<host>": {"auth": base64("user:password")}}}`. Pure.
 */
export function authFileJson(host: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return `${JSON.stringify({ auths: { [host]: { auth } } })}\n`;
}

/**
 * The user and password an auth.json holds for `host`, or why not. The password comes back only to
 * talk to the registry API; it is never printed. Pure.
 */
export function readAuthFile(
  text: string,
  host: string,
): { username: string; password: string } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'the registry auth file is not JSON' };
  }
  const entry = (parsed as { auths?: Record<string, { auth?: unknown }> } | null)?.auths?.[host];
  if (entry === undefined) return { problem: `the registry auth file has no entry for ${host}` };
  if (typeof entry.auth !== 'string')
    return { problem: `the registry auth file's entry for ${host} has no auth` };
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return { problem: `the registry auth file's entry for ${host} is not user:password` };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
