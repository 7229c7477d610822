export { FirehoseError, isFirehoseError, type FirehoseErrorCode, type FirehoseErrorOptions } from './errors.js';
