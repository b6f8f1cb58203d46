/**
 * Grad-CAM maps for display: sampled onto the pixels drawn, coloured, and
 * put in words. The worker sends each map at block5_conv3's own grid (2×2
 * at 32-pixel input, 9×9 at 150); the page samples it for whatever it draws
 * (a 96-pixel thumbnail, the network's input in the large view).
 */

/** A map and where its grid sits on the network's input. */
export interface HeatMapGrid {
  /** side×side values in [0, 1], row-major. */
  values: ArrayLike<number>;
  side: number;
  /** Input pixels per cell: cell (r, c) sits over [cellPixels·r, cellPixels·(r + 1)) × [cellPixels·c, …). */
  cellPixels: number;
  /** The network's input side, in pixels. */
  inputSize: number;
}

/** A part of the network's input, as fractions of its side: [x0, x1) × [y0, y1). */
export interface InputWindow {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const WHOLE_INPUT: InputWindow = {x0: 0, x1: 1, y0: 0, y1: 1};

/**
 * The part of the network's input a gallery thumbnail shows. The network
 * sees the whole image stretched to a square; the thumbnail is the
 * image's centre square (workers/dataset/decode-image.ts), so a wide
 * image's thumbnail shows the middle height/width of the input's width.
 */
export function thumbnailWindow(width: number, height: number): InputWindow {
  const side = Math.min(width, height);
  const across = side / width;
  const down = side / height;
  return {x0: (1 - across) / 2, x1: (1 + across) / 2, y0: (1 - down) / 2, y1: (1 + down) / 2};
}

/**
 * The map's values at the centres of a columns×rows grid laid over
 * `window`: bilinear between cell centres (each cell's value sits at its
 * centre), held constant beyond the outer centres, as an image resize with
 * half-pixel centres does. Returns columns×rows values, row-major.
 */
export function sampleHeatMap(map: HeatMapGrid, columns: number, rows: number, window: InputWindow = WHOLE_INPUT): Float32Array {
  const {values, side, cellPixels, inputSize} = map;
  const out = new Float32Array(columns * rows);
  if (side < 1) return out;
  // Where output column u (row v) falls in map cells, cell centres at whole numbers.
  const at = (i: number, count: number, from: number, to: number) => {
    const pixel = (from + ((i + 0.5) / count) * (to - from)) * inputSize;
    const position = Math.min(side - 1, Math.max(0, pixel / cellPixels - 0.5));
    const low = Math.min(side - 2, Math.floor(position));
    return low < 0 ? {low: 0, high: 0, t: 0} : {low, high: low + 1, t: position - low};
  };
  const xs = Array.from({length: columns}, (_, u) => at(u, columns, window.x0, window.x1));
  for (let v = 0; v < rows; v++) {
    const y = at(v, rows, window.y0, window.y1);
    for (let u = 0; u < columns; u++) {
      const x = xs[u]!;
      const top = values[y.low * side + x.low]! * (1 - x.t) + values[y.low * side + x.high]! * x.t;
      const bottom = values[y.high * side + x.low]! * (1 - x.t) + values[y.high * side + x.high]! * x.t;
      out[v * columns + u] = top * (1 - y.t) + bottom * y.t;
    }
  }
  return out;
}

/**
 * The colour of a value in [0, 1]: 'jet', dark blue (0) through cyan,
 * yellow to dark red (1) — the colour map of Keras's own Grad-CAM example,
 * so the pictures read like the ones students meet there. Hot stays a
 * strong red over dark images and light ones alike (a light top colour,
 * as inferno's, turns drab over black when blended); the text alternative
 * does not depend on telling hues apart.
 */
export function heatColour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value));
  const channel = (centre: number) => Math.round(Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - centre))) * 255);
  return [channel(3), channel(2), channel(1)];
}

/** Sampled values as opaque RGBA pixels (how much of the image shows through is the canvas's opacity). */
export function paintHeatMap(values: Float32Array): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(values.length * 4);
  values.forEach((value, i) => rgba.set([...heatColour(value), 255], i * 4));
  return rgba;
}

const ROWS = ['top', '', 'bottom'];
const COLUMNS = ['left', '', 'right'];

/** A point of the input (fractions of its side) as a place in a 3×3 division: "top left", "top", "centre"… */
function place(x: number, y: number): string {
  const third = (t: number) => Math.min(2, Math.max(0, Math.floor(t * 3)));
  const [row, column] = [ROWS[third(y)]!, COLUMNS[third(x)]!];
  return row && column ? `${row} ${column}` : row || column || 'centre';
}

/**
 * Where a map is hot, in words, for a text alternative. The hot cells are
 * those at least half as hot as the peak: when they make one compact patch
 * (more than half of the rectangle around them), the place of that patch's
 * centre in a 3×3 division of the input ("looks mostly at the top left",
 * "… at the top" for the two top cells of a 2×2 map); when they are
 * scattered, the peak's place ("looks at several places, most of all at
 * …"); when they are more than half the map, "looks at most of the image".
 * Null when the map is all zero (nothing in the layer raises the class's score).
 */
export function describeHeatMap({values, side}: Pick<HeatMapGrid, 'values' | 'side'>): string | null {
  let peak = 0;
  for (let i = 1; i < side * side; i++) if (values[i]! > values[peak]!) peak = i;
  const top = values[peak]!;
  if (!(top > 0)) return null;
  const centre = (cell: number) => (cell + 0.5) / side;
  const peakPlace = place(centre(peak % side), centre(Math.floor(peak / side)));
  const hot: [number, number][] = [];
  for (let i = 0; i < side * side; i++) if (values[i]! >= top / 2) hot.push([Math.floor(i / side), i % side]);
  if (hot.length / (side * side) > 0.5) return `looks at most of the image, most of all at the ${peakPlace}`;
  const rows = hot.map(([r]) => r);
  const columns = hot.map(([, c]) => c);
  const [r0, r1, c0, c1] = [Math.min(...rows), Math.max(...rows), Math.min(...columns), Math.max(...columns)];
  if (hot.length / ((r1 - r0 + 1) * (c1 - c0 + 1)) <= 0.5) return `looks at several places, most of all at the ${peakPlace}`;
  return `looks mostly at the ${place((c0 + c1 + 1) / 2 / side, (r0 + r1 + 1) / 2 / side)}`;
}
