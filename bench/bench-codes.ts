// The classifier the benchmarks record with: the real registry, quiet.
import { createClassifier } from '../src/codes/classify.js';
import { ERROR_CODES } from '../src/codes/registry.js';
import { silentLogger } from '../src/logger.js';

export const benchCodes = ERROR_CODES;
export const benchClassifier = () => createClassifier({ logger: silentLogger });
