package dev.keep.enclave.psbt;

import java.util.List;
import java.util.OptionalLong;

/** BIP-370 §Determining Lock Time, for PSBT version 2. */
final class LockTimes {
  private LockTimes() {}

  /**
   * "If none of the inputs have a PSBT_IN_REQUIRED_TIME_LOCKTIME and
   * PSBT_IN_REQUIRED_HEIGHT_LOCKTIME, then PSBT_GLOBAL_FALLBACK_LOCKTIME must be used" (0 when
   * absent). Otherwise the type chosen is the one every input that names a lock time supports,
   * height when both are, and the lock time is the largest of that type. Empty when no type is
   * supported by all of them.
   */
  static OptionalLong compute(OptionalLong fallback, List<PsbtInput> inputs) {
    boolean anyRequired = false;
    boolean heightPossible = true;
    boolean timePossible = true;
    long maxHeight = 0;
    long maxTime = 0;
    for (PsbtInput in : inputs) {
      OptionalLong height = in.requiredHeightLockTime();
      OptionalLong time = in.requiredTimeLockTime();
      if (height.isEmpty() && time.isEmpty()) {
        continue; // "Inputs not specifying a lock time field can take both types"
      }
      anyRequired = true;
      if (height.isPresent()) {
        maxHeight = Math.max(maxHeight, height.getAsLong());
      } else {
        heightPossible = false;
      }
      if (time.isPresent()) {
        maxTime = Math.max(maxTime, time.getAsLong());
      } else {
        timePossible = false;
      }
    }
    if (!anyRequired) {
      return OptionalLong.of(fallback.orElse(0));
    }
    if (heightPossible) {
      return OptionalLong.of(maxHeight); // "the ... HEIGHT_LOCKTIME fields ... must be chosen"
    }
    return timePossible ? OptionalLong.of(maxTime) : OptionalLong.empty();
  }
}
