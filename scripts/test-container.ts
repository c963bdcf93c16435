/**
 * `npm run test:container`: builds the image and proves it for real — the Node.js it runs, health
 * check, non-root user, one PATCH through the official SDK, flags appended after the image name, the
 * inspector served, and the time from SIGTERM to exit. Uses `docker` where an engine answers, else
 * `../shared/tools/podman-offline` (machines without a Docker engine or Docker Hub); with neither it
 * says so and exits 0.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { OpenRouter } from '@openrouter/sdk';

const root = resolve(import.meta.dirname, '..');
const IMAGE = 'openrouter-keys-mock:test';
const NAME = `orkm-test-${process.pid}`;
const STOP_LIMIT_MS = 1500;
/** The Node.js line the image is on: the active LTS (Node 20 is past its end of life). */
const IMAGE_NODE_MAJOR = 24;

/** The Node.js majors the Dockerfile's stages are built FROM (node:<major>-bookworm-slim). */
function dockerfileNodeMajors(): number[] {
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
  const majors = [...dockerfile.matchAll(/^FROM\s+(?:docker\.io\/library\/)?node:(\d+)-/gim)].map((m) => Number(m[1]));
  return [...new Set(majors)];
}

type Engine = { name: string; cmd: string; pre: string[]; runArgs: (port: number) => string[] };

function findEngine(): Engine | undefined {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) {
    return { name: 'docker', cmd: 'docker', pre: [], runArgs: (port) => ['-p', `127.0.0.1:${port}:${port}`, '-e', `PORT=${port}`] };
  }
  const podman = resolve(root, '..', 'shared', 'tools', 'podman-offline');
  if (existsSync(podman)) {
    // podman-offline shares the host network: -p has no effect, so the port goes in through PORT.
    return { name: 'podman-offline', cmd: podman, pre: [], runArgs: (port) => ['-e', `PORT=${port}`] };
  }
  return undefined;
}

const results: { check: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail: string) {
  results.push({ check: name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

function engineRun(engine: Engine, args: string[], options: { quiet?: boolean } = {}): string {
  return execFileSync(engine.cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', options.quiet ? 'ignore' : 'inherit'] }).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.ok) return Date.now() - started;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

/** Runs the image's HEALTHCHECK: podman runs it on demand; docker is polled until it reports. */
async function healthCheckPasses(engine: Engine): Promise<boolean> {
  if (engine.name !== 'docker') return spawnSync(engine.cmd, ['healthcheck', 'run', NAME], { stdio: 'ignore' }).status === 0;
  for (let i = 0; i < 40; i++) {
    const status = spawnSync('docker', ['inspect', '--format', '{{.State.Health.Status}}', NAME], { encoding: 'utf8' }).stdout.trim();
    if (status === 'healthy') return true;
    if (status === 'unhealthy') return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const engine = findEngine();
  if (!engine) {
    console.log('test:container: no Docker engine answers and ../shared/tools/podman-offline is absent: nothing to test here (skipped).');
    return;
  }
  console.log(`test:container: using ${engine.name}`);
  const fromMajors = dockerfileNodeMajors();
  check(
    `every stage of the Dockerfile is FROM node:${IMAGE_NODE_MAJOR}`,
    fromMajors.length === 1 && fromMajors[0] === IMAGE_NODE_MAJOR,
    `FROM majors: ${fromMajors.join(', ') || 'none'}`,
  );
  // podman-offline prepares its stand-in base images for exactly the majors the Dockerfile names.
  if (engine.name === 'podman-offline') execFileSync(engine.cmd, ['setup', ...fromMajors.map(String)], { stdio: 'inherit' });

  const buildStarted = Date.now();
  engineRun(engine, ['build', '-t', IMAGE, '-f', 'Dockerfile', '.']);
  console.log(`built ${IMAGE} in ${((Date.now() - buildStarted) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  try {
    // Flags after the image name are appended to the ENTRYPOINT.
    engineRun(engine, ['run', '-d', '--name', NAME, ...engine.runArgs(port), IMAGE, '--seed', '7', '--scenario', 'near-limit'], { quiet: true });
    const readyMs = await waitForHealth(`${origin}/__mock/health`, 30_000);
    check('starts and answers /__mock/health', true, `${readyMs} ms after run`);

    check('HEALTHCHECK passes', await healthCheckPasses(engine), engine.name === 'docker' ? 'docker reports healthy' : 'healthcheck run: exit 0');

    const nodeVersion = engineRun(engine, ['exec', NAME, 'node', '--version'], { quiet: true });
    check(`runs Node.js ${IMAGE_NODE_MAJOR}`, nodeVersion.startsWith(`v${IMAGE_NODE_MAJOR}.`), `node --version in the container: ${nodeVersion}`);

    const uid = engineRun(engine, ['exec', NAME, 'id', '-u'], { quiet: true });
    check('runs as a non-root user', uid !== '0', `uid ${uid}`);

    const body = (await (await fetch(`${origin}/__mock/health`)).json()) as { keys: number };
    const scenarioKeys = (await (await fetch(`${origin}/__mock/scenarios`)).json()) as { data: { name: string; keys: number }[] };
    const expected = scenarioKeys.data.find((s) => s.name === 'near-limit')?.keys;
    check('flags after the image name apply (--scenario near-limit)', body.keys === expected, `${body.keys} keys, near-limit has ${expected}`);

    const client = new OpenRouter({ apiKey: 'sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', serverURL: `${origin}/api/v1` });
    const { data } = await client.apiKeys.list();
    const target = data[0]!;
    const { data: updated } = await client.apiKeys.update({ hash: target.hash, requestBody: { name: 'Renamed in the container', limit: 123 } });
    check(
      'a PATCH through the official SDK',
      updated.name === 'Renamed in the container' && updated.limit === 123 && updated.hash === target.hash,
      `${target.hash.slice(0, 12)}… renamed, limit ${updated.limit}, limitRemaining ${updated.limitRemaining}`,
    );

    // The inspector ships in the image: a browser opening / lands on it, and its script is served.
    const landing = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    const page = await landing.text();
    const script = /src="(\/__mock\/ui\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    const scriptStatus = script ? (await fetch(`${origin}${script}`)).status : 0;
    check(
      'serves the inspector (/ from a browser)',
      landing.redirected && new URL(landing.url).pathname === '/__mock/ui/' && scriptStatus === 200,
      `${new URL(landing.url).pathname}, script ${script ?? 'missing'} ${scriptStatus}`,
    );

    const stopStarted = Date.now();
    engineRun(engine, ['kill', '--signal', 'TERM', NAME], { quiet: true });
    const exitCode = engineRun(engine, ['wait', NAME], { quiet: true });
    const stopMs = Date.now() - stopStarted;
    check('SIGTERM stops it gracefully', stopMs <= STOP_LIMIT_MS && exitCode === '0', `exit ${exitCode} after ${stopMs} ms (limit ${STOP_LIMIT_MS} ms, engine overhead included)`);
  } finally {
    spawnSync(engine.cmd, ['rm', '-f', NAME], { stdio: 'ignore' });
  }
  const failed = results.filter((r) => !r.ok);
  console.log(`test:container: ${results.length - failed.length} of ${results.length} checks passed`);
  if (failed.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`test:container failed: ${(error as Error).stack ?? String(error)}`);
  spawnSync(findEngine()?.cmd ?? 'true', ['rm', '-f', NAME], { stdio: 'ignore' });
  process.exitCode = 1;
});
