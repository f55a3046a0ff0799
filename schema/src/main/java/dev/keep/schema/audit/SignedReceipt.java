package dev.keep.schema.audit;

import dev.keep.schema.encoding.Hex;
import java.util.Objects;

/** A receipt and its BIP-340 signature (64 bytes, hex) by the receipt's {@code auditKey}. */
public record SignedReceipt(Receipt receipt, String signature) {
  public SignedReceipt {
    Objects.requireNonNull(receipt, "receipt");
    if (signature == null || !Hex.isHex(signature, 64)) {
      throw new IllegalArgumentException("signature: must be 128 hex digits (a BIP-340 signature)");
    }
  }
}
