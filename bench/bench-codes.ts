// The registry and classifier the benchmarks record with.
export {
  STAND_IN_CODES as benchCodes,
  standInClassifier as benchClassifier,
} from '../test/record/stand-in-codes.js';
