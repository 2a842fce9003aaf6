/**
 * `ferry rollback PIPELINE`: asks a running Ferry (its API) to deploy that successful pipeline's
 * image again. The server URL comes from --server or FERRY_URL, the deployer token from FERRY_TOKEN.
 */
export async function rollback(
  pipelineId: string,
  options: { server?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const server = (options.server ?? env.FERRY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = env.FERRY_TOKEN;
  if (!/^[0-9a-z]{6,40}$/.test(pipelineId)) {
    out.write(`ferry: "${pipelineId.slice(0, 60)}" is not a pipeline id\n`);
    return 2;
  }
  let res: Response;
  try {
    res = await fetch(`${server}/api/v1/pipelines/${pipelineId}/rollback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: '{}',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    out.write(`ferry: cannot reach ${server}: ${(err as Error).message}\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as {
    pipelineId?: string;
    error?: { code: string; message: string };
  };
  if (res.status === 201 && body.pipelineId !== undefined) {
    out.write(`rollback pipeline ${body.pipelineId} queued (deploys the image of ${pipelineId})\n`);
    return 0;
  }
  out.write(`ferry: ${body.error?.code ?? res.status}: ${body.error?.message ?? 'rollback refused'}\n`);
  return 1;
}
