// A latency probe in a process of its own, so the client that holds thousands of followers does
// not add its own event-loop delay to what is measured: GET <url>/healthz one request at a time
// (10 ms apart) for <ms>, then one JSON line with the latencies in ms, sorted.
import http from 'node:http';

const [url, ms] = [process.argv[2]!, Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const out: number[] = [];
const end = Date.now() + ms;
while (Date.now() < end) {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    http
      .get(`${url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`))));
      })
      .on('error', reject);
  });
  out.push(performance.now() - started);
  await new Promise((r) => setTimeout(r, 10));
}
agent.destroy();
process.stdout.write(`${JSON.stringify(out.sort((a, b) => a - b))}\n`);
