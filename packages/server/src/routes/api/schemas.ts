import {
  type PipelineStatus,
  pipelineKinds,
  pipelineStatuses,
  stageNames,
  stageStatuses,
  triggers,
} from '@ferry/shared';

/**
 * JSON Schemas of the `/api/v1` requests and responses. Request schemas validate (unknown keys are
 * refused with `propertyNames`, which fastify's `removeAdditional` cannot silently strip); response
 * schemas document, and feed the OpenAPI document: records are sent as stored, JSON-encoded.
 */

export const pipelineIdPattern = '^[0-9a-z]{6,40}$';
const shaPattern = '^[0-9a-f]{40}([0-9a-f]{24})?$';
const time = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;

/** A test job of the test stage as the record keeps it (TestJobRecord). */
const testJobSchema = {
  type: 'object',
  required: ['name', 'status'],
  properties: {
    name: text,
    status: { type: 'string', enum: [...stageStatuses] },
    reason: text,
    runnerId: text,
    startedAt: time,
    finishedAt: time,
    coverage: {
      type: 'number',
      description: 'Coverage percentage from the job log (its `coverage` pattern).',
    },
    report: {
      type: 'object',
      description:
        'What its JUnit reports say: counts and the failed tests (at most 50), notes when cut or refused.',
      required: ['passed', 'failed', 'errors', 'skipped', 'failures'],
      properties: {
        passed: { type: 'integer' },
        failed: { type: 'integer' },
        errors: { type: 'integer' },
        skipped: { type: 'integer' },
        failures: {
          type: 'array',
          items: { type: 'object', required: ['name', 'message'], properties: { name: text, message: text } },
        },
        notes: { type: 'array', items: text },
      },
    },
  },
} as const;

/** Closes an object to the keys it lists. */
export function closed<P extends Record<string, unknown>>(properties: P) {
  return {
    type: 'object',
    additionalProperties: false,
    propertyNames: { enum: Object.keys(properties) },
    properties,
  } as const;
}

// ---- shared response schemas (added with app.addSchema, referenced by $id) -------------------

export const pipelineSchema = {
  $id: 'Pipeline',
  type: 'object',
  description:
    'A pipeline as Ferry stores it. Strings (ref, commit title, names) are what GitLab sent: treat them as text.',
  required: [
    'id',
    'kind',
    'project',
    'environment',
    'ref',
    'sha',
    'trigger',
    'user',
    'commitTitle',
    'status',
    'stages',
    'priority',
    'lane',
    'createdAt',
    'queuedAt',
  ],
  properties: {
    id: { type: 'string', pattern: pipelineIdPattern },
    kind: {
      type: 'string',
      enum: [...pipelineKinds],
      description:
        '`environment`: test, build and deploy of an environment branch. `merge_request`: the test stage only, on the source commit of an open merge request into an environment branch.',
    },
    withoutSecrets: { type: 'boolean', description: 'A merge request from a fork, run without any secret.' },
    project: {
      type: 'object',
      required: ['id', 'path', 'webUrl', 'cloneUrl'],
      properties: { id: { type: 'integer' }, path: text, webUrl: text, cloneUrl: text },
    },
    environment: text,
    ref: { type: 'string', description: 'Branch name.' },
    sha: text,
    trigger: { type: 'string', enum: [...triggers] },
    user: { type: 'object', required: ['username', 'name'], properties: { username: text, name: text } },
    commitTitle: text,
    mergeRequest: {
      type: 'object',
      required: ['iid', 'title', 'sourceBranch', 'url'],
      properties: { iid: { type: 'integer' }, title: text, sourceBranch: text, url: text },
    },
    status: { type: 'string', enum: [...pipelineStatuses] },
    reason: { type: 'string', description: 'Why it ended as it did (or was skipped).' },
    stages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'status', 'attempts'],
        properties: {
          name: { type: 'string', enum: [...stageNames] },
          status: { type: 'string', enum: [...stageStatuses] },
          reason: text,
          attempts: { type: 'integer' },
          runnerId: text,
          startedAt: time,
          finishedAt: time,
          jobsForm: {
            type: 'string',
            enum: ['single', 'jobs'],
            description:
              'Test stage: `single` is the simple form (one job named test, status `ferry/test`); `jobs` are named jobs (status `ferry/test:<job>`, log `test:<job>`).',
          },
          jobs: {
            type: 'array',
            items: testJobSchema,
            description: 'Test stage: its jobs, run side by side.',
          },
        },
      },
    },
    priority: { type: 'integer', description: 'Lower runs first.' },
    lane: { type: 'string', description: 'One pipeline at a time per lane (project + environment).' },
    approval: {
      type: 'object',
      required: ['required'],
      properties: { required: { type: 'boolean' }, approvedBy: text, approvedAt: time, deadline: time },
    },
    retryOf: { type: 'string', description: 'The pipeline this one retries.' },
    rollbackOf: {
      type: 'string',
      description: 'The successful pipeline whose image this one deploys again.',
    },
    image: {
      type: 'object',
      description: 'The image the build stage pushed.',
      properties: { reference: text, digest: text, tags: { type: 'array', items: text } },
    },
    release: {
      type: 'object',
      description: 'What change pod did.',
      properties: {
        deployed: text,
        namespace: text,
        revision: text,
        rolledBackTo: { type: ['string', 'null'] },
      },
    },
    manifests: {
      type: 'array',
      description:
        'The objects change pod applies, rendered when the deploy stage starts (and again with what the runner read from the cluster when it reports). Secret values are `<redacted>`; the YAML of all objects together is capped at 256 KiB, the rest replaced by a `# truncated by Ferry` line. Only in `GET /pipelines/{id}`: lists leave it out.',
      items: {
        type: 'object',
        required: ['kind', 'name', 'yaml'],
        properties: {
          kind: text,
          name: text,
          namespace: text,
          action: { type: 'string', description: 'created, configured or unchanged, when known.' },
          yaml: text,
        },
      },
    },
    canaryDecisions: {
      type: 'array',
      description: 'Canary promotes and aborts decided through Ferry while the deploy ran, oldest first.',
      items: {
        type: 'object',
        required: ['verdict', 'by', 'at'],
        properties: {
          verdict: { type: 'string', enum: ['promote', 'abort'] },
          by: { type: 'string', description: 'Who decided (API token name or user).' },
          at: time,
          step: { type: 'string', description: 'The step the canary ran (`1/3 10%`).' },
        },
      },
    },
    gitlabPipelineId: {
      type: 'integer',
      description: "GitLab's id of the external pipeline holding this pipeline's commit statuses.",
    },
    gitlabDeployments: {
      type: 'array',
      description:
        'The deployments GitLab shows for this pipeline (Environments page, merge request widget).',
      items: {
        type: 'object',
        required: ['id', 'environment', 'kind', 'sha', 'status'],
        properties: {
          id: { type: 'integer' },
          environment: text,
          kind: { type: 'string', enum: ['deploy', 'rollback', 'canary'] },
          step: { type: 'integer', description: 'The canary step, for kind canary.' },
          sha: text,
          status: { type: 'string', enum: ['running', 'success', 'failed', 'canceled'] },
        },
      },
    },
    canarySteps: {
      type: 'array',
      description: "The canary steps of the deploy as its runner reported them, each step's latest state.",
      items: {
        type: 'object',
        required: ['step', 'of', 'percent', 'state', 'at'],
        properties: {
          step: { type: 'integer' },
          of: { type: 'integer' },
          percent: { type: 'integer' },
          state: { type: 'string', enum: ['running', 'promoted', 'aborted'] },
          by: text,
          at: time,
        },
      },
    },
    cancelRequested: { type: 'boolean' },
    jobId: text,
    createdAt: time,
    queuedAt: time,
    startedAt: time,
    finishedAt: time,
  },
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable code, listed in docs/errors.md.' },
        message: text,
        details: {},
      },
    },
  },
} as const;

export const sharedSchemas = [pipelineSchema, errorSchema] as const;

export const pipelineRef = { $ref: 'Pipeline#' } as const;

/** Error responses a route documents, by status. */
export function errorResponses(
  ...statuses: number[]
): Record<number, { $ref: 'Error#'; description: string }> {
  const described: Record<number, string> = {
    400: 'Invalid input (FERRY_ERR_API_INVALID_INPUT, FERRY_ERR_HTTP_BAD_REQUEST), or a user name from the sign-in proxy that is not one (FERRY_ERR_API_PROXY_USER_INVALID).',
    401: 'No valid bearer token (FERRY_ERR_API_UNAUTHENTICATED).',
    403: "The caller's role is too low (FERRY_ERR_API_FORBIDDEN), or the proxy's user has no role (FERRY_ERR_API_PROXY_USER_NO_ROLE).",
    404: 'No such pipeline or project.',
    409: 'The pipeline is not in a state that allows this.',
    415: 'The body is not JSON.',
    422: 'The input names something Ferry cannot run.',
    429: 'Too many live followers for this caller or this server (FERRY_ERR_API_LOG_FOLLOWERS_LIMIT); see Retry-After.',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { $ref: 'Error#', description: described[s] ?? 'Error.' }]),
  );
}

// ---- requests ---------------------------------------------------------------------------------

export interface PipelineParams {
  id: string;
}

export const pipelineParamsSchema = {
  ...closed({ id: { type: 'string', pattern: pipelineIdPattern, description: 'Pipeline id.' } }),
  required: ['id'],
} as const;

export interface ListQuery {
  project?: string;
  environment?: string;
  status?: PipelineStatus;
  ref?: string;
  limit: number;
  cursor?: string;
}

export const listQuerySchema = closed({
  project: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    description: 'GitLab project id (digits) or path (group/name).',
  },
  environment: { type: 'string', minLength: 1, maxLength: 100 },
  status: { type: 'string', enum: [...pipelineStatuses] },
  ref: { type: 'string', minLength: 1, maxLength: 255, description: 'Branch name.' },
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: {
    type: 'string',
    pattern: '^[0-9a-z]{1,12}$',
    description: 'The `nextCursor` of the previous page.',
  },
});

export const pipelinePageSchema = {
  type: 'object',
  description: 'One page of pipelines, newest first.',
  required: ['items'],
  properties: {
    items: { type: 'array', items: pipelineRef },
    nextCursor: { type: 'string', description: 'Absent on the last page.' },
    archive: {
      type: 'string',
      enum: ['unavailable'],
      description: 'The archive could not be read: only live (recent) pipelines are listed.',
    },
  },
} as const;

export interface TriggerBody {
  project: string;
  ref: string;
  sha?: string;
}

export const triggerBodySchema = {
  ...closed({
    project: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'GitLab project id or path; Ferry must have had a webhook from it.',
    },
    ref: { type: 'string', minLength: 1, maxLength: 255, description: 'An environment branch.' },
    sha: {
      type: 'string',
      pattern: shaPattern,
      description: 'Commit to run; default: the last head Ferry saw for the branch.',
    },
  }),
  required: ['project', 'ref'],
} as const;

/** Routes without query parameters refuse any, like bodies refuse unknown keys. */
export const noQuerySchema = {
  type: 'object',
  additionalProperties: false,
  propertyNames: false,
  properties: {},
} as const;

/** The actions that take no input: no body, `{}` or `null`; anything else is refused. */
export const emptyBodySchema = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  propertyNames: false,
  description: 'No body, or {}.',
} as const;

export const createdSchema = {
  type: 'object',
  description: 'The new pipeline (read it at the Location header).',
  required: ['pipelineId', 'superseded'],
  properties: {
    pipelineId: { type: 'string', pattern: pipelineIdPattern },
    superseded: {
      type: 'array',
      items: text,
      description: 'Older pipelines still waiting for the same environment, now skipped.',
    },
  },
} as const;
