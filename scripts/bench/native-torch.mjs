// @ts-check
import {spawn, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createInterface} from 'node:readline';

const SCRIPT = new URL('./torch_bench.py', import.meta.url).pathname;
/** Debian's OpenBLAS, OpenMP build (it follows torch.set_num_threads): libopenblas0-openmp. */
const OPENBLAS_DIRS = ['/usr/lib/x86_64-linux-gnu/openblas-openmp', '/usr/lib/aarch64-linux-gnu/openblas-openmp'];

/** The first python that can import torch: $PYTHON, python3, /usr/bin/python3 (Debian's python3-torch). */
export function findTorchPython() {
  const tried = [];
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    const probe = spawnSync(/** @type {string} */ (python), ['-c', 'import torch'], {stdio: 'ignore', timeout: 60_000});
    if (probe.status === 0) return {python: /** @type {string} */ (python), tried};
    tried.push(python);
  }
  return {python: null, tried};
}

/**
 * scripts/bench/torch_bench.py --serve as a child process: one JSON request
 * a line, one answer a line, so native samples interleave with the
 * browser's. A request past its time limit kills the process (the next one
 * starts a fresh process, and the jobs it held are gone).
 */
export class NativeTorch {
  /** @type {import('node:child_process').ChildProcessWithoutNullStreams | null} */
  #child = null;
  /** @type {((line: string) => void) | null} */
  #waiting = null;
  /** @type {Set<string>} */
  #jobs = new Set();

  /**
   * @param {string} python
   * @param {number} threads OMP_NUM_THREADS: the core count
   * @param {{openblas?: boolean}} options use OpenBLAS where Debian has it (else torch's libblas.so.3, by default the reference BLAS)
   */
  constructor(python, threads, {openblas = true} = {}) {
    this.python = python;
    this.threads = threads;
    this.openblasDir = openblas ? (OPENBLAS_DIRS.find((dir) => existsSync(`${dir}/libblas.so.3`)) ?? null) : null;
  }

  #start() {
    const env = {...process.env, OMP_NUM_THREADS: String(this.threads)};
    if (this.openblasDir) env.LD_LIBRARY_PATH = [this.openblasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const child = spawn(this.python, [SCRIPT, '--serve'], {env, stdio: ['pipe', 'pipe', 'pipe']});
    child.stderr.on('data', (chunk) => process.stderr.write(`torch: ${chunk}`));
    createInterface({input: child.stdout}).on('line', (line) => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.(line);
    });
    child.on('exit', () => {
      if (this.#child === child) this.#child = null;
      this.#waiting?.(JSON.stringify({error: 'the torch process ended'}));
      this.#waiting = null;
    });
    this.#child = child;
    this.#jobs.clear();
    return child;
  }

  /**
   * @param {object} request
   * @param {number} timeoutMs
   * @returns {Promise<any>}
   */
  request(request, timeoutMs) {
    const child = this.#child ?? this.#start();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting = null;
        child.kill('SIGKILL');
        resolve({error: `ran past ${Math.round(timeoutMs / 1000)} s; the torch process was ended`, stopped: true});
      }, timeoutMs);
      this.#waiting = (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      };
      child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  info() {
    return this.request({info: true}, 120_000);
  }

  /**
   * @param {string} id
   * @param {object} job
   * @param {number} timeoutMs
   */
  async prepare(id, job, timeoutMs) {
    const answer = await this.request({prepare: job, id}, timeoutMs);
    if (!answer.error) this.#jobs.add(id);
    return answer;
  }

  /**
   * @param {string} id
   * @param {number} timeoutMs
   */
  sample(id, timeoutMs) {
    if (!this.#jobs.has(id)) return Promise.resolve({error: 'the job is gone (the process was restarted)'});
    return this.request({sample: id}, timeoutMs);
  }

  /** @param {string} id */
  async dispose(id) {
    if (this.#child && this.#jobs.delete(id)) await this.request({dispose: id}, 60_000);
  }

  close() {
    this.#child?.stdin.end();
    this.#child?.kill();
    this.#child = null;
  }
}
