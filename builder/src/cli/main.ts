import { dispatch } from './dispatch.js';
import { processIo } from './io.js';

const code = await dispatch(process.argv.slice(2), processIo());
process.exitCode = code;
