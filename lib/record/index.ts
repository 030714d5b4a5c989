export { packRecords } from './pack-records.js';
export { ReadEpoch } from './read-epoch.js';
export { aeadCipher, nullCipher, type RecordCipher } from './record-cipher.js';
export { MAX_REPLAY_WINDOW_SIZE, ReplayWindow } from './replay-window.js';
export { SequenceNumberExhaustedError } from './sequence-number-exhausted-error.js';
export { MAX_EPOCH, MAX_SEQUENCE_NUMBER } from './sequence-number.js';
export { splitRecords, type RawRecord, type SplitResult } from './split-records.js';
export { WriteEpoch, type WriteEpochOptions } from './write-epoch.js';
