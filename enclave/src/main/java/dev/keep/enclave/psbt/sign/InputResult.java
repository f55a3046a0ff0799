package dev.keep.enclave.psbt.sign;

import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.keys.hd.DerivationPath;
import java.util.Optional;

/**
 * What the signer did with one input: signed it (with which hash type, by the key at which
 * path) or left it untouched, and why, in words for the report.
 */
public record InputResult(
    int index, boolean signed, Optional<SighashType> sighash, Optional<DerivationPath> path, String reason) {

  static InputResult signed(int index, SighashType type, DerivationPath path, String reason) {
    return new InputResult(index, true, Optional.of(type), Optional.of(path), reason);
  }

  static InputResult skipped(int index, String reason) {
    return new InputResult(index, false, Optional.empty(), Optional.empty(), reason);
  }
}
