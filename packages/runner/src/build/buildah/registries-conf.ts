/**
 * containers-registries.conf(5) for a build: short names resolve on Docker Hub as the engine
 * resolves them (`node:20` is `docker.io/library/node:20`, which the allowlist also assumes), and
 * only Ferry's registry may be spoken to over plain HTTP, when it is insecure. Pure.
 */
export function registriesConf(registryHost: string, insecure: boolean): string {
  const lines = ['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"', ''];
  if (insecure)
    lines.push('[[registry]]', `location = ${JSON.stringify(registryHost)}`, 'insecure = true', '');
  return lines.join('\n');
}
