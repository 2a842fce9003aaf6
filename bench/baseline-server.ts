// The baseline for bench:intake: a bare fastify route that parses the same JSON bodies and answers,
// run as its own process like Ferry, so the ratio shows what Ferry's intake costs on this machine.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
app.post('/webhooks/gitlab', async (request, reply) => {
  const body = request.body as { checkout_sha?: string };
  return reply.code(201).send({ result: 'created', pipelineId: body.checkout_sha ?? '' });
});
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`${address}\n`);
