#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench [-- name,name] [--rounds=5] [--budget=60] [--backends=wasm] [--wait-quiet[=1]] [--no-torch]`
 *
 * Measures, in one run, the project (ours) beside stock tfjs and native
 * PyTorch on the same CPU: test/bench/bench.html in headless Chromium (the
 * system one), served by Vite exactly as the app is, and
 * scripts/bench/torch_bench.py as a child process. This script drives both:
 * for each measure it prepares every alternative, then takes samples round
 * by round, interleaved. It prints tables and writes everything, with the
 * machine, to bench-results/<date>.json. Not a test: nothing fails on speed.
 *
 * Names: the measures of test/bench/measures.ts (features-32, e2e-32,
 * fine-tune-32, head-150, features-150, e2e-150, fine-tune-150),
 * profile-150 (per-kernel times of ours on wasm), playground-150 (the
 * page's Lab fine-tuning one epoch), and the entries of
 * test/bench/benchmarks.ts; `all` for everything. Without names: the
 * issue's comparison, DEFAULT_SET.
 *
 * --budget=S   seconds each alternative of a measure may take (default 60,
 *              so that five fine-tune samples at 150×150, batch 16, fit on a
 *              busy machine); one predicted or warmed up over it is skipped,
 *              one that runs out is cut short, with the reason in the output
 * --backends=B,B  the tfjs backends of ours and stock (default wasm; webgl,
 *              webgpu and cpu run on SwiftShader or plain JS here: slow)
 * --rounds=N   samples per alternative (default 5)
 * --wait-quiet[=L]  first wait (up to 15 min) for the 1-minute load ≤ L (default 1)
 * --no-torch   leave out native PyTorch
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import {createServer} from 'vite';
import puppeteer from 'puppeteer-core';
import {CHROMIUM_ARGS, findChromium} from '../test/support/chromium.mjs';
import {describeMachine, loadAverage, waitForQuiet} from './bench/machine.mjs';
import {NativeTorch, findTorchPython} from './bench/native-torch.mjs';
import {MEASURE_HEADER, SUMMARY_HEADER, columns, comparisonLines, measureRows, profileLines, summaryRow} from './bench/report.mjs';
import {runMeasure} from './bench/run-measure.mjs';

const PROFILE = 'profile-150';
const PLAYGROUND = 'playground-150';
const DEFAULT_SET = ['features-32', 'fine-tune-32', 'features-150', 'fine-tune-150', PROFILE];

const args = process.argv.slice(2);
const flag = (/** @type {string} */ name) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const flagValue = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const value = flag(name)?.split('=')[1];
  return value === undefined ? fallback : Number(value);
};
const names = args.filter((a) => !a.startsWith('--')).flatMap((a) => a.split(',')).filter(Boolean);
const rounds = flagValue('rounds', 5);
const budgetMs = flagValue('budget', 60) * 1000;
const backends = (flag('backends')?.split('=')[1] ?? 'wasm').split(',');
const log = (/** @type {string} */ line) => console.error(line);

const started = new Date();
const quiet = flag('wait-quiet') ? await waitForQuiet(flagValue('wait-quiet', 1), 15, log) : null;
const machine = describeMachine();
const loadBefore = loadAverage();

/** @type {NativeTorch | null} */
let torch = null;
/** @type {any} */
let torchInfo = {skipped: '--no-torch'};
if (!flag('no-torch')) {
  const {python, tried} = findTorchPython();
  if (python) {
    torch = new NativeTorch(python, machine.cores);
    torchInfo = {...(await torch.info()), openblasDir: torch.openblasDir};
  } else torchInfo = {skipped: `no python with torch (tried ${tried.join(', ')}); Debian: apt-get install -y python3-torch`};
}

const vite = await createServer({clearScreen: false, logLevel: 'warn', server: {host: '127.0.0.1', port: 0, hmr: false}});
await vite.listen();
const address = vite.httpServer?.address();
if (!address || typeof address === 'string') throw new Error('Vite did not start');
const pageUrl = `http://127.0.0.1:${address.port}/test/bench/bench.html`;

/** @type {import('puppeteer-core').Browser | undefined} */
let browser;
const output = {
  started: started.toISOString(),
  args,
  machine: {...machine, loadBefore, ...(quiet ? {waitedForQuiet: quiet} : {})},
  /** @type {any} */ browser: null,
  torch: torchInfo,
  settings: {rounds, budgetS: budgetMs / 1000, backends},
  /** @type {any[]} */ measures: [],
  /** @type {Record<string, any>} */ profiles: {},
  /** @type {any} */ playground: null,
  /** @type {Record<string, any[]>} */ rows: {},
  /** @type {Record<string, string>} */ errors: {},
};
try {
  // No protocol timeout: a SwiftShader step can keep the page busy for minutes (our own limits end it).
  browser = await puppeteer.launch({executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS, protocolTimeout: 0});
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.text().startsWith('bench ')) log(message.text());
  });
  page.on('pageerror', (error) => log(`bench page error: ${error instanceof Error ? error.message : String(error)}`));
  page.setDefaultTimeout(0);
  const load = async () => {
    await page.goto(pageUrl);
    // A module that fails to load never defines __bench: say so instead of waiting forever.
    await page.waitForFunction(() => window.__bench !== undefined, {timeout: 120_000, polling: 200});
  };
  await load();
  const catalog = await page.evaluate(() => window.__bench.catalog());
  output.browser = {version: await browser.version(), ...catalog.page};

  /** A measure's batch (the app's), for the profile and the playground to use the same. */
  const batchOf = (/** @type {string} */ measureName) => catalog.measures.find((/** @type {any} */ m) => m.name === measureName).batch;
  const known = [...catalog.measures.map((/** @type {any} */ m) => m.name), PROFILE, PLAYGROUND, ...catalog.rowEntries];
  const selected = names.length === 0 ? DEFAULT_SET : names.includes('all') ? known : names;
  const unknown = selected.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`Unknown bench names: ${unknown.join(', ')}. Known: ${known.join(', ')}`);

  /** Runs a page call with a limit; past it the page is loaded again (which ends its workers). */
  const limited = async (/** @type {() => Promise<any>} */ call, /** @type {number} */ timeoutMs) => {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    try {
      return await Promise.race([call(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`ran past ${timeoutMs / 1000} s`)), timeoutMs)))]);
    } catch (err) {
      await load();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };

  const results = new Map();
  const torchId = (/** @type {string} */ measure, /** @type {string} */ key) => `${measure}/${key}`;
  for (const name of selected) {
    log(`bench ${name}…`);
    const measure = catalog.measures.find((/** @type {any} */ m) => m.name === name);
    try {
      if (measure) {
        const alternatives = measure.alternatives.filter((/** @type {any} */ a) => backends.includes(a.backend));
        if (torch && measure.job) {
          const cores = machine.cores;
          alternatives.push({key: `torch·${cores} thread${cores === 1 ? '' : 's'}`, impl: 'torch', backend: 'cpu', threads: cores});
          if (cores > 1) alternatives.push({key: 'torch·1 thread', impl: 'torch', backend: 'cpu', threads: 1});
        }
        await page.evaluate((n) => window.__bench.open(n), name);
        try {
          const native = /** @type {NativeTorch} */ (torch);
          const result = await runMeasure({
            measure,
            alternatives,
            rounds,
            budgetMs,
            earlier: results,
            log,
            sides: {
              async prepare(alt, timeoutMs) {
                if (alt.impl !== 'torch') return page.evaluate((n, k, t) => window.__bench.prepare(n, k, t), name, alt.key, timeoutMs);
                const answer = await native.prepare(torchId(name, alt.key), {...measure.job, threads: alt.threads}, timeoutMs);
                return answer.error ? {ok: false, status: answer.stopped ? 'stopped' : 'failed', reason: answer.error} : {ok: true, warmMs: answer.warmMs, setup: {threads: alt.threads}};
              },
              async sample(alt, timeoutMs) {
                if (alt.impl !== 'torch') return page.evaluate((n, k, t) => window.__bench.sample(n, k, t), name, alt.key, timeoutMs);
                const answer = await native.sample(torchId(name, alt.key), timeoutMs);
                return answer.error ? {ok: false, status: answer.stopped ? 'stopped' : 'failed', reason: answer.error} : {ok: true, ms: answer.ms};
              },
            },
          });
          results.set(name, result);
          output.measures.push(result);
          console.log(columns([MEASURE_HEADER, ...measureRows(result)]).join('\n'));
          for (const line of comparisonLines(result)) console.log(line);
          console.log('');
        } finally {
          await page.evaluate((n) => window.__bench.close(n), name);
          for (const alt of alternatives) if (alt.impl === 'torch') await torch?.dispose(torchId(name, alt.key));
        }
      } else if (name === PROFILE) {
        const batches = {features: batchOf('features-150'), step: batchOf('fine-tune-150')};
        const profile = await limited(() => page.evaluate((b, t) => window.__bench.profile(150, b, t), batches, budgetMs * 4), budgetMs * 4 + 30_000);
        output.profiles[PROFILE] = profile;
        for (const what of /** @type {const} */ (['features', 'step'])) {
          console.log(profileLines(`where the time goes: ${what}, 150×150, batch ${batches[what]}, ours·wasm (${profile.setup.threads} threads), by kernel`, profile[what], 'byKernel', 8).join('\n'));
          console.log(profileLines(`  … by kernel and input shapes`, profile[what], 'byShape', 8).join('\n'));
        }
        console.log('');
      } else if (name === PLAYGROUND) {
        const result = await limited(() => page.evaluate((b) => window.__bench.playground({size: 150, images: 40, batch: b}), batchOf('fine-tune-150')), 15 * 60_000);
        const step = results.get('fine-tune-150')?.alternatives.find((/** @type {any} */ a) => a.key === `ours·${result.backend}` && a.perUnitMs);
        output.playground = {...result, benchStepRate: step?.rate ?? null, progressOverStep: step ? result.progressRate / step.rate : null};
        console.log(
          columns([
            ['playground-150 (Lab, random VGG16, 1 fine-tune epoch)', 'value'],
            ['training backend', `${result.backend}${result.backend === 'wasm' ? ` (${result.wasmThreads} threads)` : ''}`],
            ['images (train / validation), batch', `${result.trainImages} / ${result.validationImages}, ${result.batch}`],
            ['rate its progress reports (step 4)', `${result.progressRate.toFixed(2)} images/s`],
            ['… from the end of its first batch on', result.steadyRate === null ? '–' : `${result.steadyRate.toFixed(2)} images/s`],
            ['the bench’s own step rate (fine-tune-150, same backend)', step ? `${step.rate.toFixed(2)} images/s` : 'not measured in this run'],
            ['epoch incl. validation', `${result.epochSeconds.toFixed(1)} s`],
          ]).join('\n'),
        );
        console.log('');
      } else {
        const rows = await page.evaluate((n) => window.__bench.rows(n), name);
        output.rows[name] = rows;
        console.log(columns([['bench', 'measure', 'value', 'unit'], ...rows.map((r) => [name, r.label, String(r.value), r.unit])]).join('\n'));
        console.log('');
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      output.errors[name] = message;
      log(`bench ${name} failed: ${message}`);
      process.exitCode = 1;
    }
  }
} finally {
  await browser?.close();
  await vite.close();
  if (output.measures.length > 0) {
    console.log(`summary: ms per unit, medians; ratios are time over time (below 1×: ours is faster)`);
    console.log(columns([SUMMARY_HEADER, ...output.measures.map(summaryRow)]).join('\n'));
  }
  torch?.close();
  const finished = new Date();
  Object.assign(output.machine, {loadAfter: loadAverage()});
  Object.assign(output, {finished: finished.toISOString(), durationS: Math.round((finished.getTime() - started.getTime()) / 1000)});
  mkdirSync('bench-results', {recursive: true});
  const file = `bench-results/${started.toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`load average before ${loadBefore.join(' ')}, after ${output.machine.loadAfter.join(' ')}; ${output.durationS} s; written to ${file}`);
}
