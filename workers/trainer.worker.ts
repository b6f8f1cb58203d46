import {expose} from 'comlink';
import {installNamedErrorTransfer} from '../src/shared/comlink-errors.ts';
import {createTrainerServices} from './trainer-services.ts';

installNamedErrorTransfer();
expose(createTrainerServices());
