import { dispatch } from './dispatch.js';
import { processIo } from '../base/index.js';

const code = await dispatch(process.argv.slice(2), processIo());
process.exitCode = code;
