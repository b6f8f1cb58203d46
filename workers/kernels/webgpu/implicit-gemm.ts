import type {WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';

/**
 * Convolutions as implicit matrix products, C[M×N] = A[M×K] · B[K×N], with
 * A and B never written out: each operand reads its elements straight from
 * the tensors (an im2col done on the fly), a tile at a time, through
 * workgroup memory.
 *
 * Two ways to multiply a tile:
 * - `shared`: both operand tiles in workgroup memory (double-buffered, one
 *   barrier per K step); 256 threads, each with an (TM/16)×(TN/16) block of
 *   C in registers (8×8 for 128×128 tiles), reading four-wide vectors.
 * - `subgroup`: only B's tile goes through workgroup memory. Each subgroup
 *   owns RS rows of C; its lanes load those rows of A from the tensor as
 *   vectors (contiguous channels) into registers, and every lane gets each
 *   A value with subgroupBroadcast, so A needs no workgroup memory, no
 *   stores and no transposition. Needs a fixed subgroup size (min = max).
 *
 * Bounds checks are left out where the shape fits the tile. A split-K
 * (grid z) makes each workgroup sum one slice of K into its own layer of a
 * [splits, M, N] output, summed afterwards by SplitKSumProgram.
 */

/** How one operand's elements are laid out in its tensor, and how to read them. */
export interface OperandSpec {
  /**
   * Which index has four consecutive elements next to each other in memory,
   * read as one vec4: `'k'` (the reduction index) or `'outer'` (M for A,
   * N for B); `'none'` reads scalars.
   */
  vector: 'k' | 'outer' | 'none';
  /** For scalar reads: which index neighbouring threads step along (the contiguous one, for coalescing). */
  contiguous: 'k' | 'outer';
  /** WGSL declarations for one load slot whose outer index (M for A, N for B) is `outer`; names start with `p`. */
  setup(p: string, outer: string): string;
  /** WGSL statements that assign `${p}v` (f32, or vec4 when vector) from the element at reduction index `k`; may leave it zero (padding). */
  fetch(p: string, k: string): string;
}

export interface GemmOperation {
  /** Names the operation in shader keys. */
  name: string;
  /** Tensors bound to the shader, in order; their element widths (1 or 4). */
  variableNames: string[];
  variableComponents: number[];
  a: OperandSpec;
  b: OperandSpec;
  /** Adds `bias[n]` in the epilogue (a variable named 'bias'). */
  bias: boolean;
  relu: boolean;
  /** Extra i32 uniforms the operand code reads as `uniforms.<name>`. */
  uniforms: Record<string, number>;
  /** Compile-time facts the operand code depends on (e.g. unit stride), for the shader key. */
  variant: string;
}

export interface GemmShape {
  M: number;
  N: number;
  K: number;
}

/** How a product is cut: tile sizes, the multiply, and the K split. */
export interface GemmPlan {
  kind: 'shared' | 'subgroup';
  tileM: number;
  tileN: number;
  tileK: number;
  /** Subgroup path: the subgroup size, rows of C per subgroup, vec4 column chunks per lane. */
  subgroupSize: number;
  rowsPerSubgroup: number;
  chunksPerLane: number;
  splits: number;
  /** K per split, a multiple of tileK. */
  kPerSplit: number;
}

export const THREADS = 256;
/** Where the shader asks for subgroups; the device hook prepends `enable subgroups;` (tfjs emits no directives). */
export const ENABLE_SUBGROUPS_MARKER = '// transfer-lab: enable subgroups';

const vec4 = (s: string) => `vec4<f32>(${s})`;

interface Slot {
  /** WGSL expressions of the slot's offsets within the tile. */
  outer: string;
  k: string;
  /** Whether the slot exists for every thread (units divisible by THREADS). */
  guard: string | null;
}

/** How 256 threads share the loading of a tile of `outerSize`×`tileK` elements. */
function slots(spec: OperandSpec, outerSize: number, tileK: number): Slot[] {
  const width = spec.vector === 'none' ? 1 : 4;
  const units = (outerSize * tileK) / width;
  const out: Slot[] = [];
  for (let s = 0; s * THREADS < units; s++) {
    const i = `(tid + ${s * THREADS})`;
    const guard = (s + 1) * THREADS > units ? `${i} < ${units}` : null;
    if (spec.vector === 'k') out.push({outer: `${i} / ${tileK / 4}`, k: `(${i} % ${tileK / 4}) * 4`, guard});
    else if (spec.vector === 'outer') out.push({outer: `(${i} % ${outerSize / 4}) * 4`, k: `${i} / ${outerSize / 4}`, guard});
    else if (spec.contiguous === 'k') out.push({outer: `${i} / ${tileK}`, k: `${i} % ${tileK}`, guard});
    else out.push({outer: `${i} % ${outerSize}`, k: `${i} / ${outerSize}`, guard});
  }
  return out;
}

/** Statements that store slot `p`'s value (`${p}v`) into a k-major vec4 tile `tile` at buffer offset `base`. */
function storeSlot(spec: OperandSpec, p: string, tile: string, base: string, outerSize: number): string {
  const row = (k: string) => `${base} + (${k}) * ${outerSize / 4} + ${p}o / 4`;
  if (spec.vector === 'outer') return `${tile}[${row(`${p}k`)}] = ${p}v;`;
  if (spec.vector === 'k') {
    return [0, 1, 2, 3].map((c) => `${tile}[${row(`${p}k + ${c}`)}][${p}o % 4] = ${p}v[${c}];`).join('\n');
  }
  return `${tile}[${row(`${p}k`)}][${p}o % 4] = ${p}v;`;
}

interface OperandCode {
  decls: string;
  fetch: (k0: string) => string;
  store: (base: string) => string;
}

/** Per-slot declarations, the global fetch of one K tile, and its store into workgroup memory. */
function operandCode(
  spec: OperandSpec,
  name: 'a' | 'b',
  tile: string,
  outerSize: number,
  tileK: number,
  outerStart: string,
  outerLimit: string,
  fitOuter: boolean,
  fitK: boolean,
): OperandCode {
  const type = spec.vector === 'none' ? 'f32' : 'vec4<f32>';
  const list = slots(spec, outerSize, tileK);
  const decls = list
    .map((slot, s) => {
      const p = `${name}${s}_`;
      return `let ${p}o = ${slot.outer};
let ${p}k = ${slot.k};
let ${p}outer = ${outerStart} + ${p}o;
${spec.setup(p, `${p}outer`)}
var ${p}v: ${type};`;
    })
    .join('\n');
  const fetch = (k0: string) =>
    list
      .map((slot, s) => {
        const p = `${name}${s}_`;
        const checks = [slot.guard, fitOuter ? null : `${p}outer < ${outerLimit}`, fitK ? null : `${k0} + ${p}k < uniforms.gemmK`].filter(Boolean);
        // Each fetch in a block of its own: the operand's `let`s repeat for every tile loaded.
        const body = `{\n${spec.fetch(p, `${k0} + ${p}k`)}\n}`;
        return `${p}v = ${type}(0.0);\n${checks.length ? `if (${checks.join(' && ')}) ${body}` : body}`;
      })
      .join('\n');
  const store = (base: string) =>
    list
      .map((slot, s) => {
        const p = `${name}${s}_`;
        const code = storeSlot(spec, p, tile, base, outerSize);
        return slot.guard ? `if (${slot.guard}) {\n${code}\n}` : code;
      })
      .join('\n');
  return {decls, fetch, store};
}

/**
 * The epilogue's write of one vec4 of C at (row, col): bias, ReLU, then the
 * output; or, in a split, the raw partial sum into the split's layer (the
 * sum applies bias and ReLU).
 */
function writeSnippet(op: GemmOperation, vecOut: boolean, split: boolean): string {
  const bias = op.bias && !split;
  const relu = op.relu && !split;
  const value = [
    'var value = acc;',
    bias ? (vecOut ? 'value = value + bias[col / 4];' : 'value = value + vec4<f32>(bias[col], bias[col + 1], bias[col + 2], bias[col + 3]);') : '',
    relu ? 'value = max(value, vec4<f32>(0.0));' : '',
  ].join('\n');
  const index = split ? '(i32(workgroupId.z) * uniforms.gemmM + row) * uniforms.gemmN + col' : 'row * uniforms.gemmN + col';
  if (vecOut) {
    return `fn writeC(row: i32, col: i32, acc: vec4<f32>) {
  if (row < uniforms.gemmM && col < uniforms.gemmN) {
    ${value}
    result[(${index}) / 4] = value;
  }
}`;
  }
  // Scalar output (N not a multiple of 4): bias read per column inside the bounds.
  const scalarValue = ['var value = acc[c];', bias ? 'value = value + bias[col + c];' : '', relu ? 'value = max(value, 0.0);' : ''].join('\n');
  return `fn writeC(row: i32, col: i32, acc: vec4<f32>) {
  if (row < uniforms.gemmM) {
    for (var c = 0; c < 4; c++) {
      if (col + c < uniforms.gemmN) {
        ${scalarValue}
        result[${index.replace(/\bcol\b/g, '(col + c)')}] = value;
      }
    }
  }
}`;
}

export class ImplicitGemmProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: {x: number[]; y?: number[]; z?: number[]};
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  uniforms: string;
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  outputComponent: number;
  readonly #fit: {m: boolean; n: boolean; k: boolean};

  constructor(
    readonly op: GemmOperation,
    readonly shape: GemmShape,
    readonly plan: GemmPlan,
    outputShape: number[],
  ) {
    const split = plan.splits > 1;
    // A split's partial sums go to a [splits, M, N] tensor; without a split, straight to the output.
    this.outputShape = split ? [plan.splits, shape.M, shape.N] : outputShape;
    this.dispatchLayout = this.outputShape.length === 4 ? {x: [3], y: [1, 2], z: [0]} : {x: [2], y: [1], z: [0]};
    this.dispatch = [Math.ceil(shape.M / plan.tileM), Math.ceil(shape.N / plan.tileN), plan.splits];
    this.variableNames = op.variableNames;
    this.variableComponents = op.variableComponents;
    this.outputComponent = shape.N % 4 === 0 ? 4 : 1;
    this.uniforms = ['gemmM', 'gemmN', 'gemmK', 'kPerSplit', ...Object.keys(op.uniforms)].map((u) => `${u} : i32,`).join(' ');
    this.#fit = {
      m: shape.M % plan.tileM === 0,
      n: shape.N % plan.tileN === 0,
      k: plan.kPerSplit * plan.splits === shape.K,
    };
    const p = plan;
    this.shaderKey = [
      'tlGemm',
      op.name,
      op.variant,
      p.kind,
      p.tileM,
      p.tileN,
      p.tileK,
      p.subgroupSize,
      p.rowsPerSubgroup,
      p.chunksPerLane,
      split,
      this.#fit.m,
      this.#fit.n,
      this.#fit.k,
      op.bias,
      op.relu,
      this.outputComponent,
    ].join('_');
  }

  /** The uniforms' values, in the order of `uniforms`. */
  uniformData(): Array<{type: string; data: number[]}> {
    const {M, N, K} = this.shape;
    return [M, N, K, this.plan.kPerSplit, ...Object.values(this.op.uniforms)].map((v) => ({type: 'int32', data: [v]}));
  }

  getUserCode(): string {
    return this.plan.kind === 'subgroup' ? this.#subgroupCode() : this.#sharedCode();
  }

  #sharedCode(): string {
    const {op, plan} = this;
    const {tileM: TM, tileN: TN, tileK: TK} = plan;
    const rowChunks = TM / 64; // vec4 row chunks per thread (16 threads × 4 rows each)
    const colChunks = TN / 64;
    const a = operandCode(op.a, 'a', 'As', TM, TK, 'm0', 'uniforms.gemmM', this.#fit.m, this.#fit.k);
    const b = operandCode(op.b, 'b', 'Bs', TN, TK, 'n0', 'uniforms.gemmN', this.#fit.n, this.#fit.k);
    const aSize = (TK * TM) / 4;
    const bSize = (TK * TN) / 4;
    const fma: string[] = [];
    for (let i = 0; i < rowChunks; i++) fma.push(`let a${i} = As[aRow + ${i * 16}];`);
    for (let j = 0; j < colChunks; j++) fma.push(`let b${j} = Bs[bRow + ${j * 16}];`);
    for (let i = 0; i < rowChunks; i++) {
      for (let c = 0; c < 4; c++) {
        for (let j = 0; j < colChunks; j++) {
          const idx = (i * 4 + c) * colChunks + j;
          fma.push(`acc[${idx}] = fma(${vec4(`a${i}[${c}]`)}, b${j}, acc[${idx}]);`);
        }
      }
    }
    const writes: string[] = [];
    for (let i = 0; i < rowChunks; i++) {
      for (let c = 0; c < 4; c++) {
        for (let j = 0; j < colChunks; j++) {
          writes.push(`writeC(m0 + ${i * 64} + ty * 4 + ${c}, n0 + ${j * 64} + tx * 4, acc[${(i * 4 + c) * colChunks + j}]);`);
        }
      }
    }
    return `
${writeSnippet(op, this.outputComponent === 4, plan.splits > 1)}
var<workgroup> As: array<vec4<f32>, ${2 * aSize}>;
var<workgroup> Bs: array<vec4<f32>, ${2 * bSize}>;

fn main() {
  let tid = i32(localIndex);
  let tx = tid % 16;
  let ty = tid / 16;
  let m0 = i32(workgroupId.x) * ${TM};
  let n0 = i32(workgroupId.y) * ${TN};
  let kBegin = i32(workgroupId.z) * uniforms.kPerSplit;
  // Uniform across the workgroup by construction (barriers sit in this loop).
  let numTiles = uniforms.kPerSplit / ${TK};
  ${a.decls}
  ${b.decls}
  var acc: array<vec4<f32>, ${rowChunks * 4 * colChunks}>;

  ${a.fetch('kBegin')}
  ${b.fetch('kBegin')}
  ${a.store('0')}
  ${b.store('0')}
  workgroupBarrier();
  for (var t = 0; t < numTiles; t++) {
    let buf = t % 2;
    let next = t + 1 < numTiles;
    if (next) {
      let kNext = kBegin + (t + 1) * ${TK};
      ${a.fetch('kNext')}
      ${b.fetch('kNext')}
    }
    for (var k = 0; k < ${TK}; k++) {
      let aRow = buf * ${aSize} + k * ${TM / 4} + ty;
      let bRow = buf * ${bSize} + k * ${TN / 4} + tx;
      ${fma.join('\n      ')}
    }
    if (next) {
      ${a.store(`(1 - buf) * ${aSize}`)}
      ${b.store(`(1 - buf) * ${bSize}`)}
    }
    workgroupBarrier();
  }
  ${writes.join('\n  ')}
}`;
  }

  #subgroupCode(): string {
    const {op, plan} = this;
    const {tileM: TM, tileN: TN, tileK: TK, subgroupSize: S, rowsPerSubgroup: RS, chunksPerLane: C} = plan;
    const lanesPerRow = S / RS;
    const kPerLane = TK / lanesPerRow;
    const vecsPerLane = kPerLane / 4;
    const b = operandCode(op.b, 'b', 'Bs', TN, TK, 'n0', 'uniforms.gemmN', this.#fit.n, this.#fit.k);
    const bSize = (TK * TN) / 4;
    const aChecks = [this.#fit.m ? null : 'aRowOk', this.#fit.k ? null : 'kk < uniforms.gemmK'].filter(Boolean);
    const aFetch = (k0: string, into: string) =>
      Array.from({length: vecsPerLane}, (_, v) => {
        const body = `{
  let kk = ${k0} + aK + ${v * 4};
  a_v = vec4<f32>(0.0);
  ${aChecks.length ? `if (${aChecks.join(' && ')}) {` : '{'}
    ${op.a.fetch('a_', 'kk')}
  }
  ${into}[${v}] = a_v;
}`;
        return body;
      }).join('\n');
    // One block per four K steps: B's vectors for them, then each of the subgroup's rows broadcast in turn.
    const body: string[] = [];
    for (let kq = 0; kq < TK / 4; kq++) {
      body.push('{');
      for (let c4 = 0; c4 < 4; c4++) {
        for (let c = 0; c < C; c++) body.push(`let b${c4}_${c} = Bs[bRow + ${(kq * 4 + c4) * (TN / 4) + c * S}];`);
      }
      for (let r = 0; r < RS; r++) {
        const lane = r + RS * Math.floor(kq / vecsPerLane);
        body.push(`{ let av = subgroupBroadcast(aCur[${kq % vecsPerLane}], ${lane}u);`);
        for (let c4 = 0; c4 < 4; c4++) {
          for (let c = 0; c < C; c++) body.push(`acc[${r * C + c}] = fma(${vec4(`av[${c4}]`)}, b${c4}_${c}, acc[${r * C + c}]);`);
        }
        body.push('}');
      }
      body.push('}');
    }
    const writes: string[] = [];
    for (let r = 0; r < RS; r++) {
      for (let c = 0; c < C; c++) writes.push(`writeC(rowBase + ${r}, n0 + ${c * 4 * S} + lane * 4, acc[${r * C + c}]);`);
    }
    return `${ENABLE_SUBGROUPS_MARKER}
${writeSnippet(op, this.outputComponent === 4, plan.splits > 1)}
var<workgroup> Bs: array<vec4<f32>, ${2 * bSize}>;

fn main() {
  let tid = i32(localIndex);
  // Subgroups are consecutive runs of local_invocation_index (a 1-D workgroup).
  let lane = tid % ${S};
  let group = tid / ${S};
  let m0 = i32(workgroupId.x) * ${TM};
  let n0 = i32(workgroupId.y) * ${TN};
  let rowBase = m0 + group * ${RS};
  let kBegin = i32(workgroupId.z) * uniforms.kPerSplit;
  let numTiles = uniforms.kPerSplit / ${TK};
  // This lane loads row (lane % RS) of the subgroup's rows, K columns [aK, aK + ${kPerLane}) of each tile.
  let aRow = rowBase + lane % ${RS};
  let aRowOk = aRow < uniforms.gemmM;
  let aK = (lane / ${RS}) * ${kPerLane};
  ${op.a.setup('a_', 'aRow')}
  var a_v: vec4<f32>;
  var aCur: array<vec4<f32>, ${vecsPerLane}>;
  var aNext: array<vec4<f32>, ${vecsPerLane}>;
  ${b.decls}
  var acc: array<vec4<f32>, ${RS * C}>;

  ${aFetch('kBegin', 'aCur')}
  ${b.fetch('kBegin')}
  ${b.store('0')}
  workgroupBarrier();
  for (var t = 0; t < numTiles; t++) {
    let buf = t % 2;
    let next = t + 1 < numTiles;
    if (next) {
      let kNext = kBegin + (t + 1) * ${TK};
      ${aFetch('kNext', 'aNext')}
      ${b.fetch('kNext')}
    }
    let bRow = buf * ${bSize} + lane;
    ${body.join('\n    ')}
    if (next) {
      aCur = aNext;
      ${b.store(`(1 - buf) * ${bSize}`)}
    }
    workgroupBarrier();
  }
  ${writes.join('\n  ')}
}`;
  }
}

/** Sums the layers of a split-K product, out[i] = Σ_s partials[s][i], then adds the bias and applies ReLU where the product has them. */
export class SplitKSumProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: {x: number[]};
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  uniforms = 'splits : i32, sliceSize : i32, columns : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  outputComponent: number;
  size = true;

  constructor(
    outputShape: number[],
    component: number,
    readonly bias: boolean,
    readonly relu: boolean,
  ) {
    this.outputShape = outputShape;
    this.outputComponent = component;
    this.variableNames = bias ? ['partials', 'bias'] : ['partials'];
    this.variableComponents = bias ? [component, component] : [component];
    this.dispatchLayout = {x: outputShape.map((_, i) => i)};
    const elements = outputShape.reduce((a, b) => a * b, 1) / component;
    this.dispatch = [Math.ceil(elements / 64), 1, 1];
    this.shaderKey = `tlSplitKSum_${component}_${bias}_${relu}`;
  }

  getUserCode(): string {
    const zero = this.outputComponent === 4 ? 'vec4<f32>(0.0)' : '0.0';
    return `
fn main(index: i32) {
  if (index < uniforms.size) {
    var sum = partials[index];
    for (var s = 1; s < uniforms.splits; s++) {
      sum = sum + partials[index + s * uniforms.sliceSize];
    }
    ${this.bias ? 'sum = sum + bias[index % uniforms.columns];' : ''}
    ${this.relu ? `sum = max(sum, ${zero});` : ''}
    setOutputAtIndex(index, sum);
  }
}`;
  }
}
