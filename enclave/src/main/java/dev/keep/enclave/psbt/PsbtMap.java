package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.tx.ByteReader;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.TxFormatException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * One PSBT map (global, input or output) as the ordered list of its raw entries. Immutable. The
 * order is kept so that a parsed PSBT serializes to the same bytes; new entries go at the end.
 *
 * <p>BIP-174 §Specification: {@code <map> := <keypair>* 0x00}, {@code <keypair> := <keylen> <key>
 * <valuelen> <value>}, the lengths and the keytype CompactSize; a map must not repeat a key.
 */
final class PsbtMap {
  static final PsbtMap EMPTY = new PsbtMap(List.of());

  private final List<PsbtEntry> entries;

  private PsbtMap(List<PsbtEntry> entries) {
    this.entries = entries;
  }

  static PsbtMap of(List<PsbtEntry> entries) {
    List<PsbtEntry> copy = List.copyOf(entries);
    if (new HashSet<>(copy).size() != copy.size()) {
      throw new IllegalArgumentException("a PSBT map cannot repeat a key");
    }
    return new PsbtMap(copy);
  }

  /**
   * Most entries one PSBT may hold, over all its maps. The BIPs set no limit, but each entry
   * costs memory beyond its bytes (about 150 bytes of objects), so a 4 MiB PSBT of empty entries
   * would take hundreds of megabytes; this bounds it near 30 MB. A 1,000-input PSBT with ten
   * fields per input uses 10,000.
   */
  static final int MAX_ENTRIES = 200_000;

  /** How many more entries the PSBT being parsed may hold. */
  static final class Budget {
    private int left;

    Budget(int entries) {
      this.left = entries;
    }
  }

  /**
   * Reads one map up to and including its 0x00 separator. {@code fieldName} names a keytype for
   * messages; every entry is charged to {@code budget}.
   */
  static PsbtMap read(ByteReader r, PsbtLocation where, LongFunction<String> fieldName, Budget budget)
      throws PsbtException {
    List<PsbtEntry> entries = new ArrayList<>();
    Set<PsbtEntry> seen = new HashSet<>();
    while (true) {
      if (r.atEnd()) {
        throw new PsbtException(where, "separator", "the map ends without its 0x00 separator");
      }
      byte[] key;
      try {
        key = r.readVarBytes("key length");
      } catch (TxFormatException e) {
        throw new PsbtException(where, "key", e.getMessage());
      }
      if (key.length == 0) {
        return new PsbtMap(List.copyOf(entries));
      }
      ByteReader keyReader = new ByteReader(key);
      long type;
      byte[] keyData;
      try {
        type = keyReader.readCompactSize("keytype");
        keyData = keyReader.readBytes(keyReader.remaining(), "key data");
      } catch (TxFormatException e) {
        throw new PsbtException(where, "key", e.getMessage());
      }
      String field = fieldName.apply(type);
      byte[] value;
      try {
        value = r.readVarBytes("value length");
      } catch (TxFormatException e) {
        throw new PsbtException(where, field, e.getMessage());
      }
      if (--budget.left < 0) {
        throw new PsbtException(where, field, "the PSBT holds more than " + MAX_ENTRIES + " entries");
      }
      PsbtEntry entry = new PsbtEntry(type, keyData, value);
      if (!seen.add(entry)) {
        throw new PsbtException(
            where,
            field,
            "duplicate key " + entry.describeKey() + " (a map must not repeat a key)");
      }
      entries.add(entry);
    }
  }

  void write(ByteWriter w) {
    for (PsbtEntry e : entries) {
      e.write(w);
    }
    w.u8(0x00);
  }

  List<PsbtEntry> entries() {
    return entries;
  }

  /** This map with {@code entry} in place of the entry with the same key, or appended. */
  PsbtMap with(PsbtEntry entry) {
    List<PsbtEntry> out = new ArrayList<>(entries.size() + 1);
    boolean replaced = false;
    for (PsbtEntry e : entries) {
      if (e.sameKey(entry)) {
        out.add(entry);
        replaced = true;
      } else {
        out.add(e);
      }
    }
    if (!replaced) {
      out.add(entry);
    }
    return new PsbtMap(List.copyOf(out));
  }

  /** This map with only the entries {@code keep} accepts. */
  PsbtMap filter(Predicate<PsbtEntry> keep) {
    return new PsbtMap(entries.stream().filter(keep).toList());
  }
}
