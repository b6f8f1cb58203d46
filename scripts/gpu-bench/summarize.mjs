#!/usr/bin/env node
// Turns a device run's results.jsonl into Markdown tables: `node scripts/gpu-bench/summarize.mjs results.jsonl`.
import {readFileSync} from 'node:fs';

const rows = readFileSync(process.argv[2] ?? 'results.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const of = (task) => rows.filter((r) => r.task === task);
const table = (head, body) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const out = [];

const info = of('info')[0];
if (info) out.push(`Adapter: ${info.adapterInfo?.vendor} ${info.adapterInfo?.device || info.adapterInfo?.architecture} (${info.adapterInfo?.description}); subgroup size used: ${info.subgroupSize}.`);

const errors = rows.filter((r) => r.error);
if (errors.length) out.push('Failed tasks:\n' + errors.map((r) => `- ${r.task}: ${r.error}`).join('\n'));

const checks = of('check');
if (checks.length) {
  out.push(
    table(
      ['check (vs tfjs-cpu)', 'features rel. error', 'worst gradient rel. error', 'loss gpu / cpu', 'pass'],
      checks.map((r) => [`${r.variant}, ${r.H}×${r.H}, batch ${r.B}`, r.features.relMaxErr.toExponential(1), r.worstGradRelErr.toExponential(1), `${r.lossGpu.toFixed(5)} / ${r.lossCpu.toFixed(5)}`, r.pass]),
    ),
  );
}

for (const task of ['fwd', 'train']) {
  const list = of(task);
  if (!list.length) continue;
  const stock = new Map(list.filter((r) => r.variant === 'stock').map((r) => [`${r.H}:${r.B}`, r.imgPerS]));
  out.push(
    table(
      [task === 'fwd' ? 'features' : 'fine-tune step', 'variant', 'img/s', 'ms / batch', '× stock', 'GPU ms by kernel (largest)'],
      list.map((r) => {
        const base = stock.get(`${r.H}:${r.B}`);
        const kernels = Object.entries(r.profile?.byKernel ?? {})
          .sort((a, b) => b[1].ms - a[1].ms)
          .slice(0, 4)
          .map(([k, v]) => `${k} ${v.ms.toFixed(1)}`)
          .join(', ');
        return [`${r.H}×${r.H}, batch ${r.B}`, r.variant, r.imgPerS, r.medianMs, base ? (r.imgPerS / base).toFixed(2) : '', kernels];
      }),
    ),
  );
}

const kernels = of('kernels');
if (kernels.length) {
  const variants = ['stock', 'ours', 'nosg', 'sg'];
  out.push(
    table(
      ['kernel', 'layer', 'GFLOP', ...variants.map((v) => `${v} ms (TFLOP/s)`), 'ours × stock'],
      kernels.map((r) => [r.op, `${r.layer} ${r.shape.join('×')}`, r.gflop, ...variants.map((v) => (r[v] ? `${r[v].kernelMs} (${r[v].tflops})` : '')), r.oursVsStock ?? '']),
    ),
  );
}

const sweeps = of('sweep');
for (const r of sweeps) {
  out.push(table([`${r.op} ${r.layer}, batch ${r.B}`, 'GPU ms', 'TFLOP/s'], r.results.map((x) => [`${x.subgroups ? `subgroups ${x.subgroups}, ` : ''}tiles ${x.tiles}${x.splits !== undefined ? `, splits ${x.splits}` : ''}`, x.kernelMs, x.tflops])));
}

for (const r of of('workflow')) {
  out.push(
    `Workflow (${r.variant}, ${r.H}×${r.H}): features ${r.features.seconds} s (${r.features.imgPerS} img/s, batch ${r.features.batchSize}); ` +
      `head ${r.head.seconds} s (${r.head.epochs} epochs); fine-tune epochs ${r.fineTune.epochSeconds.join(', ')} s → 20 epochs ≈ ${r.fineTune.estimate20EpochsSeconds} s ` +
      `(${r.fineTune.trainImgPerS} training img/s incl. validation and checkpoints); total ≈ ${r.estimateSeconds ?? `${r.estimateSecondsWithoutHead} s + the head`} s. ${r.method}.`,
  );
}
for (const r of of('workflow-part')) {
  if (!of('workflow').some((w) => w.variant === r.variant)) out.push(`Workflow (${r.variant}) stopped early; ${r.part}: ${JSON.stringify(r)}`);
}
console.log(out.join('\n\n'));
