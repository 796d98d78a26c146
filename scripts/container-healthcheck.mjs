// The container's HEALTHCHECK: exits 0 when the server's GET /readyz answers 200 (the database
// answers), 1 otherwise, saying why. Reads PORT and HOST as the server does.
const port = process.env.PORT || '4000';
const host = !process.env.HOST || process.env.HOST === '0.0.0.0' || process.env.HOST === '::' ? '127.0.0.1' : process.env.HOST;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/readyz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  if (res.status !== 200) {
    console.error(`${url}: ${res.status} ${body}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`${url}: ${error.cause?.code ?? error.message}`);
  process.exit(1);
}
