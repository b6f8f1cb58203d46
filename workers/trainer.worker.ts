import {expose} from 'comlink';
import {installNamedErrorTransfer} from '../src/shared/comlink-errors.ts';
import {createTrainerApi} from './trainer-api.ts';

installNamedErrorTransfer();
const api = createTrainerApi();
expose(api);
export type TrainerApi = typeof api;
