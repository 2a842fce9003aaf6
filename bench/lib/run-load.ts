import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  total: number;
}

/** Loads `url` for `seconds` with `connections`, each request's body and headers from `next()`. */
export async function runLoad(options: {
  url: string;
  seconds: number;
  connections: number;
  next: () => { body: string; headers: Record<string, string> };
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (req) => {
          const { body, headers } = options.next();
          return { ...req, method: 'POST', body, headers: { ...req.headers, ...headers } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
  };
}
