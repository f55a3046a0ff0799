package dev.keep.schema.attestation;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * PCR values by index (0..31): the PCRs a document reports, or one set a verifier allows. An
 * allowed set constrains only the indexes it names; a document matches it when it has every one
 * of them with the same value.
 */
public final class PcrSet {
  /** PCR indexes are 0..31 (Nitro attestation document specification, {@code index = 0..31}). */
  public static final int MAX_INDEX = 31;

  private final SortedMap<Integer, Pcr> values;

  private PcrSet(SortedMap<Integer, Pcr> values) {
    this.values = Collections.unmodifiableSortedMap(values);
  }

  /** @throws IllegalArgumentException when empty or an index is outside 0..31 */
  public static PcrSet of(Map<Integer, Pcr> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("a PCR set names at least one PCR");
    }
    TreeMap<Integer, Pcr> copy = new TreeMap<>();
    values.forEach(
        (index, pcr) -> {
          if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("PCR index " + index + " is outside 0.." + MAX_INDEX);
          }
          copy.put(index, Objects.requireNonNull(pcr, "PCR" + index));
        });
    return new PcrSet(copy);
  }

  /** The usual allowed set: the image (PCR0), kernel and boot (PCR1), application (PCR2). */
  public static PcrSet of(Pcr pcr0, Pcr pcr1, Pcr pcr2) {
    return of(Map.of(0, pcr0, 1, pcr1, 2, pcr2));
  }

  public Optional<Pcr> get(int index) {
    return Optional.ofNullable(values.get(index));
  }

  /** The values by index, in index order. */
  public SortedMap<Integer, Pcr> asMap() {
    return values;
  }

  /** True when PCR0, PCR1 and PCR2 are present and all zero: an enclave in debug mode. */
  public boolean isDebugMode() {
    for (int index = 0; index <= 2; index++) {
      Pcr pcr = values.get(index);
      if (pcr == null || !pcr.isZero()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PcrSet other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.entrySet().stream()
        .map(e -> "PCR" + e.getKey() + "=" + e.getValue().hex())
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
