import {createContext} from '@lit/context';
import type {Lab} from './lab.ts';

/**
 * The lab that elements below a provider share (<tl-lab>, <tl-playground>).
 * A string key, per the Context Community Protocol: a host page (or another
 * copy of this library) can provide a lab of its own.
 */
export const labContext = createContext<Lab | undefined>('transfer-lab/lab');
