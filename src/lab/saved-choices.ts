import {BACKENDS, PHASES, type BackendName, type BackendOverrides, type FeatureSpec, type WeightsSource} from '../shared/protocol/index.ts';

const OVERRIDES_KEY = 'transfer-lab:backend-overrides';
/** The weights loaded last (a URL, or a file's id in IndexedDB), loaded again at start. */
const WEIGHTS_KEY = 'transfer-lab:weights';
/** The last feature run (its spec and dataset), so a reload can train the head without recomputing. */
const FEATURES_KEY = 'transfer-lab:last-features';

/** The last feature run, as kept. */
export interface LastFeatures {
  spec: FeatureSpec;
  datasetId: string;
  /** When they were computed (ms since the epoch). */
  at: number;
}

/**
 * The user's few choices that outlive the page, in localStorage. A frame
 * that may not use it (reading `localStorage` throws a SecurityError in a
 * third-party iframe with storage blocked) keeps them in memory instead,
 * and `problem` says why.
 */
export class SavedChoices {
  readonly #storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Why choices are not kept, when they are not. */
  readonly problem: string | null;

  /** `storage` gives the Storage to use (the page's localStorage by default; reading it may throw). */
  constructor(storage: () => Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = () => globalThis.localStorage) {
    const opened = openStorage(storage);
    this.#storage = opened.storage;
    this.problem = opened.problem;
  }

  get backendOverrides(): BackendOverrides {
    const parsed = this.#read(OVERRIDES_KEY) as Record<string, unknown> | null;
    const overrides: BackendOverrides = {};
    // Anything unknown (an old or edited value) is dropped.
    for (const phase of PHASES) if (BACKENDS.includes(parsed?.[phase] as BackendName)) overrides[phase] = parsed![phase] as BackendName;
    return overrides;
  }

  set backendOverrides(overrides: BackendOverrides) {
    this.#write(OVERRIDES_KEY, overrides);
  }

  get weights(): WeightsSource | null {
    const saved = this.#read(WEIGHTS_KEY) as WeightsSource | null;
    if (saved?.kind === 'url' && typeof saved.url === 'string') return {kind: 'url', url: saved.url};
    if (saved?.kind === 'stored' && typeof saved.id === 'string') return {kind: 'stored', id: saved.id};
    return null;
  }

  set weights(source: WeightsSource | null) {
    this.#write(WEIGHTS_KEY, source);
  }

  get lastFeatures(): LastFeatures | null {
    const saved = this.#read(FEATURES_KEY) as LastFeatures | null;
    return saved?.spec?.weightsId && saved.spec.resize && typeof saved.datasetId === 'string' ? {...saved, at: Number(saved.at) || 0} : null;
  }

  set lastFeatures(features: LastFeatures | null) {
    this.#write(FEATURES_KEY, features);
  }

  #read(key: string): unknown {
    try {
      return JSON.parse(this.#storage.getItem(key) ?? 'null');
    } catch {
      return null;
    }
  }

  #write(key: string, value: unknown): void {
    try {
      if (value === null) this.#storage.removeItem(key);
      else this.#storage.setItem(key, JSON.stringify(value));
    } catch {
      // A full or revoked storage loses a preference, never the work.
    }
  }
}

function openStorage(open: () => Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined): {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  problem: string | null;
} {
  try {
    const storage = open(); // reading localStorage itself throws where storage is denied
    if (!storage) throw new Error('this browser context has no localStorage');
    const probe = 'transfer-lab:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return {storage, problem: null};
  } catch (err) {
    const values = new Map<string, string>();
    return {
      storage: {getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v), removeItem: (k) => void values.delete(k)},
      problem: `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`,
    };
  }
}
