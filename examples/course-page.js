// The lab announces its milestones as DOM events that bubble out of <tl-lab>:
// a course page can react to them (here, a line of feedback; an LMS could record a grade).
const log = document.getElementById('log');
const lab = document.querySelector('tl-lab');

lab.addEventListener('tl-features-ready', (event) => {
  const {fromCache, computed, spec} = event.detail;
  log.textContent = `Features ready (${spec.inputSize}×${spec.inputSize}): ${computed} computed, ${fromCache} from your browser's cache.`;
});
lab.addEventListener('tl-epoch-end', (event) => {
  const {phase, log: epoch} = event.detail;
  if (phase === 'head') log.textContent = `Epoch ${epoch.epoch}: validation accuracy ${(epoch.valAccuracy * 100).toFixed(1)} %.`;
});
lab.addEventListener('tl-training-done', (event) => {
  if (event.detail.phase !== 'head') return;
  const best = event.detail.result.history[event.detail.result.bestEpoch - 1];
  log.textContent = `Done! Best validation accuracy ${(best.valAccuracy * 100).toFixed(1)} % (epoch ${best.epoch}).`;
});
