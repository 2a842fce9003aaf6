import { createHash } from 'node:crypto';
import { FerryError, ServerErrors, WebhookErrors } from '@ferry/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isRedisUnavailable, toFerryError } from '../../app/error-handler.js';
import type { ServerContext } from '../../app/server-context.js';
import { parseWellFormedJson } from '../../app/well-formed-json.js';
import { classifyMergeRequest, classifyPush } from '../../gitlab/hooks/classify.js';
import { type CloneHostPolicy, cloneHostPolicy, refusedCloneOrigin } from '../../gitlab/hooks/clone-hosts.js';
import { mergeRequestHookSchema, pushHookSchema } from '../../gitlab/hooks/payloads.js';
import { secretFor } from '../../gitlab/hooks/project-secrets.js';
import { tokenMatches } from '../../gitlab/hooks/token.js';
import type { WebhookResult } from '../../metrics/metrics.js';
import { createPipeline } from '../../pipeline/create.js';
import type { Classification, PipelineIntent } from '../../pipeline/intent.js';
import { cancelChecks, supersedeChecks } from '../../pipeline/merge-request-checks.js';
import { noteMerge } from '../../pipeline/note-merge.js';

interface WebhookAnswer {
  result: 'created' | 'duplicate' | 'ignored' | 'annotated' | 'noted' | 'canceled';
  pipelineId?: string;
  reason?: string;
  superseded?: string[];
}

/**
 * `POST /webhooks/gitlab`: authenticate, validate, store, enqueue, answer. Nothing slow runs here
 * (GitLab gives up after 10 s and disables failing hooks): no GitLab call, no spec resolution.
 */
export async function gitlabWebhookRoute(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    bodyDigests.set(
      request,
      createHash('sha256')
        .update(body as string)
        .digest('hex'),
    );
    try {
      // Text is normalised at intake: a lone surrogate in a title becomes U+FFFD, never a 5xx.
      done(null, parseWellFormedJson(body as string));
    } catch (err) {
      done(
        new FerryError(WebhookErrors.WEBHOOK_MALFORMED_JSON, {
          reason: (err as Error).message.slice(0, 200),
        }),
      );
    }
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(
      new FerryError(WebhookErrors.WEBHOOK_NOT_JSON, {
        contentType: String(request.headers['content-type'] ?? 'none').slice(0, 100),
      }),
    );
  });

  const count = (result: WebhookResult) => ctx.metrics.webhooks.inc({ result });
  const cloneHosts = cloneHostPolicy(ctx.config.gitlab);

  app.addHook('onRequest', async (request) => {
    // Refuse unauthenticated deliveries before reading the body.
    if (typeof request.headers['x-gitlab-token'] !== 'string') {
      count('unauthorized');
      throw new FerryError(WebhookErrors.WEBHOOK_UNAUTHORIZED);
    }
  });

  app.post('/webhooks/gitlab', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      count('invalid');
      throw new FerryError(WebhookErrors.WEBHOOK_INVALID_PAYLOAD, {
        field: '(body)',
        reason: 'expected a JSON object',
      });
    }
    authenticate(ctx, request, body as Record<string, unknown>, count);

    const classification = classify(
      ctx,
      body as Record<string, unknown>,
      request.headers['x-gitlab-event'],
      count,
    );
    if (classification.kind === 'ignore') {
      count('ignored');
      return reply
        .code(200)
        .send({ result: 'ignored', reason: classification.reason } satisfies WebhookAnswer);
    }
    if (classification.kind === 'close') {
      const canceled = await cancelChecks(
        ctx,
        classification.projectId,
        classification.iid,
        classification.by,
      );
      count('ignored');
      return reply.code(200).send({ result: 'canceled', superseded: canceled } satisfies WebhookAnswer);
    }
    if (classification.kind === 'note') {
      if (ctx.mergeFollower !== undefined) {
        // GitLab's API names the branch's new head; asked after this answer (GitLab waits 10 s at most).
        ctx.mergeFollower.follow(classification.note, new Date());
        count('noted');
        return reply.code(200).send({
          result: 'noted',
          reason:
            'a fast-forward merge: Ferry asks GitLab for the commit the branch got; the pipeline of its push carries the merge',
        } satisfies WebhookAnswer);
      }
      let noted: Awaited<ReturnType<typeof noteMerge>>;
      try {
        noted = await noteMerge(ctx, classification.note, { receivedAt: new Date() });
      } catch (err) {
        throw storeFailure(err, count);
      }
      count(noted.result === 'annotated' ? 'annotated' : 'noted');
      const answer: WebhookAnswer =
        noted.result === 'annotated'
          ? { result: 'annotated', pipelineId: noted.pipelineId }
          : {
              result: 'noted',
              reason:
                'a fast-forward merge and no GitLab API configured: the merging user’s next push carries it',
            };
      return reply.code(200).send(answer);
    }
    refuseForeignClone(classification.intent, cloneHosts, count);
    const idempotencyKey = idempotencyKeyOf(request);
    let created: Awaited<ReturnType<typeof createPipeline>>;
    try {
      created = await createPipeline(
        ctx,
        classification.intent,
        idempotencyKey === undefined ? {} : { idempotencyKey },
      );
    } catch (err) {
      throw storeFailure(err, count);
    }
    count(created.replayed ? 'replayed' : created.result);
    if (created.replayed) reply.header('idempotent-replayed', 'true');
    request.log.info(
      { pipelineId: created.pipelineId, result: created.result, replayed: created.replayed },
      'webhook accepted',
    );
    const answer: WebhookAnswer = { result: created.result, pipelineId: created.pipelineId };
    const superseded = [...created.superseded];
    if (classification.intent.kind === 'merge_request' && created.result === 'created' && !created.replayed) {
      const lane = (await ctx.store.get(created.pipelineId))?.lane;
      if (lane !== undefined) superseded.push(...(await supersedeChecks(ctx, created.pipelineId, lane)));
    }
    if (superseded.length > 0) answer.superseded = superseded;
    return reply.code(created.result === 'created' ? 201 : 200).send(answer);
  });
}

/**
 * What a failed store step means for GitLab: 503 (it retries) only when Redis is really away; any
 * other failure (a script error, a bug) is a 500 with its own code, never reported as an outage.
 */
function storeFailure(err: unknown, count: (r: WebhookResult) => void): FerryError {
  if (isRedisUnavailable(err)) {
    count('unavailable');
    return new FerryError(
      ServerErrors.REDIS_UNAVAILABLE,
      { reason: 'Redis does not answer' },
      { cause: err },
    );
  }
  count('failed');
  return toFerryError(err);
}

function authenticate(
  ctx: ServerContext,
  request: FastifyRequest,
  body: Record<string, unknown>,
  count: (r: WebhookResult) => void,
): void {
  const presented = request.headers['x-gitlab-token'] as string;
  const project = body.project as { path_with_namespace?: unknown; id?: unknown } | undefined;
  const path = typeof project?.path_with_namespace === 'string' ? project.path_with_namespace : undefined;
  const id = typeof project?.id === 'number' ? project.id : undefined;
  const expected = secretFor(ctx.webhookSecrets, { id, path });
  if (expected.kind === 'mismatch') {
    count('unauthorized');
    throw new FerryError(WebhookErrors.WEBHOOK_PROJECT_MISMATCH, {
      id: String(id ?? 'none'),
      path: (path ?? 'none').slice(0, 200),
      reason: expected.reason,
    });
  }
  if (expected.kind === 'none') {
    count('unauthorized');
    throw new FerryError(WebhookErrors.WEBHOOK_NOT_CONFIGURED);
  }
  if (!tokenMatches(presented, expected.secret)) {
    count('unauthorized');
    throw new FerryError(WebhookErrors.WEBHOOK_UNAUTHORIZED);
  }
}

/** A clone URL off the configured GitLab is refused before anything is stored: no runner ever asks it. */
function refuseForeignClone(
  intent: PipelineIntent,
  policy: CloneHostPolicy,
  count: (r: WebhookResult) => void,
): void {
  for (const url of [intent.project.cloneUrl, intent.cloneUrl]) {
    if (url === undefined) continue;
    const origin = refusedCloneOrigin(url, policy);
    if (origin === undefined) continue;
    count('invalid');
    throw new FerryError(WebhookErrors.WEBHOOK_CLONE_HOST_REFUSED, { origin: origin.slice(0, 200) });
  }
}

/**
 * The X-Gitlab-Event each payload kind comes with from a project's webhook. GitLab names a system
 * hook's deliveries `System Hook` whatever they carry (push and merge request events included:
 * WebHookService#build_headers, `hook_to_event`, GitLab 16.5+): those are an instance's events, not
 * a project's delivery, and start nothing.
 */
const projectHookEvents: Readonly<Record<string, string>> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  merge_request: 'Merge Request Hook',
};

function classify(
  ctx: ServerContext,
  body: Record<string, unknown>,
  event: string | string[] | undefined,
  count: (r: WebhookResult) => void,
): Classification {
  const kind = body.object_kind;
  const expected = typeof kind === 'string' ? projectHookEvents[kind] : undefined;
  if (expected !== undefined && event !== undefined && event !== expected) {
    const shown = String(event).slice(0, 64);
    return {
      kind: 'ignore',
      reason: `a ${kind} payload sent as X-Gitlab-Event ${shown} (not ${expected}) starts nothing`,
    };
  }
  if (kind === 'push' || kind === 'tag_push') {
    return classifyPush(parse(pushHookSchema, body, count), ctx.environments);
  }
  if (kind === 'merge_request') {
    return classifyMergeRequest(
      parse(mergeRequestHookSchema, body, count),
      ctx.environments,
      ctx.config.gitlab.forkMergeRequests,
    );
  }
  const shown = typeof kind === 'string' ? kind.slice(0, 64) : 'unknown';
  return { kind: 'ignore', reason: `event kind ${shown} does not start pipelines` };
}

function parse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  count: (r: WebhookResult) => void,
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  count('invalid');
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(body)' : issue.path.join('.');
  throw new FerryError(WebhookErrors.WEBHOOK_INVALID_PAYLOAD, {
    field,
    reason:
      issue?.code === 'invalid_type' && issue.input === undefined ? 'missing' : (issue?.message ?? 'invalid'),
  });
}

const bodyDigests = new WeakMap<FastifyRequest, string>();

/**
 * GitLab's `Idempotency-Key` (17.4+, the same on every retry of a delivery). Without it: the
 * event UUID with the event name and the body's digest, since a retry resends the same body.
 * `X-Gitlab-Webhook-UUID` is never part of it: `WebHookService#build_headers` draws a new one for
 * every request (GitLab 17.x). `X-Gitlab-Event-UUID` alone is not enough either: every hook one
 * event triggers (a merge's Push Hook and Merge Request Hook) may share it. Hashed for a clean key.
 */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const key = header('idempotency-key');
  const eventUuid = header('x-gitlab-event-uuid');
  const digest = bodyDigests.get(request);
  const raw =
    key !== undefined
      ? `key/${key}`
      : eventUuid === undefined || digest === undefined
        ? undefined
        : `event/${eventUuid}/${header('x-gitlab-event') ?? ''}/${digest}`;
  return raw === undefined ? undefined : createHash('sha256').update(raw).digest('hex').slice(0, 40);
}
