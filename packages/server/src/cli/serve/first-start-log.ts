import type { FerryConfig, Logger } from '@ferry/shared';
import { baseUrl } from '../../reporting/links.js';
import type { FirstStartSecrets } from './first-start-secrets.js';

/**
 * Says where the first-start secrets are and how to point a GitLab webhook at this Ferry: paths
 * and the URL only, never a value (they stay in their 0600 files).
 */
export function logFirstStart(logger: Logger, secrets: FirstStartSecrets, config: FerryConfig): void {
  const { webhookSecretFile, adminTokenFile, created } = secrets;
  if (webhookSecretFile === undefined && adminTokenFile === undefined) return;
  logger.info(
    {
      ...(webhookSecretFile === undefined ? {} : { webhookSecretFile }),
      ...(adminTokenFile === undefined ? {} : { adminTokenFile }),
      generated: created,
    },
    created.length > 0
      ? 'no webhook secret or API token configured: generated them into files only this user can read'
      : 'no webhook secret or API token configured: using the ones generated on the first start',
  );
  if (webhookSecretFile !== undefined)
    logger.info(
      { webhookUrl: `${baseUrl(config)}/webhooks/gitlab`, secretTokenFile: webhookSecretFile },
      'to connect GitLab: project → Settings → Webhooks → Add new webhook, URL = webhookUrl (reachable from GitLab: set server.publicUrl), Secret token = the content of secretTokenFile, trigger Push events and Merge request events',
    );
  if (adminTokenFile !== undefined)
    logger.info(
      { adminTokenFile },
      'API and CLI: send the content of adminTokenFile as Authorization: Bearer (FERRY_TOKEN for the ferry CLI)',
    );
}
