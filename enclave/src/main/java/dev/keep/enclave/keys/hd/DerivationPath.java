package dev.keep.enclave.keys.hd;

import dev.keep.enclave.keys.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A BIP-32 derivation path (§The key tree), such as {@code m/86'/1'/0'/0/5}: the child numbers
 * applied one after another from a key. Child numbers are raw 32-bit values; hardened children have
 * the top bit set (§Extended keys: "a number i_H represents i+2^31"), so in Java they are negative
 * ints.
 *
 * <p>Text form: {@code m} alone for the key itself, otherwise {@code m/} and steps separated by
 * {@code /}; a step is a decimal index below 2^31 with no sign and no leading zero, followed by
 * {@code '} or {@code h} when hardened. {@link #toString()} always writes {@code '}. At most 255
 * steps, because §Serialization format stores the depth in one byte.
 */
public final class DerivationPath {
  /** The bit that marks a hardened child number (2^31). */
  public static final int HARDENED_BIT = 0x80000000;

  /** §Serialization format: "1 byte: depth". */
  public static final int MAX_DEPTH = 255;

  /** {@code m}: no steps. */
  public static final DerivationPath ROOT = new DerivationPath(List.of());

  private final List<Integer> childNumbers;

  private DerivationPath(List<Integer> childNumbers) {
    this.childNumbers = childNumbers;
  }

  /**
   * Parses the text form described in the class comment.
   *
   * @throws Bip32Exception (field {@code path}) naming the broken rule
   */
  public static DerivationPath parse(String text) {
    Objects.requireNonNull(text, "path");
    if (text.isEmpty() || text.charAt(0) != 'm') {
      throw new Bip32Exception("path", "must start with 'm'");
    }
    if (text.length() == 1) {
      return ROOT;
    }
    if (text.charAt(1) != '/') {
      throw new Bip32Exception("path", "'m' must be followed by '/' or end the path");
    }
    // Count the steps before splitting, so a huge input is refused without building a huge array.
    long depth = text.chars().filter(c -> c == '/').count();
    if (depth > MAX_DEPTH) {
      throw new Bip32Exception("path", "depth " + depth + " exceeds the maximum of " + MAX_DEPTH);
    }
    String[] steps = text.substring(2).split("/", -1);
    List<Integer> out = new ArrayList<>(steps.length);
    for (int i = 0; i < steps.length; i++) {
      out.add(parseStep(steps[i], i + 1));
    }
    return new DerivationPath(List.copyOf(out));
  }

  private static int parseStep(String step, int position) {
    boolean hardened = step.endsWith("'") || step.endsWith("h");
    String digits = hardened ? step.substring(0, step.length() - 1) : step;
    if (digits.isEmpty()) {
      throw new Bip32Exception("path", "step " + position + " is empty");
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw new Bip32Exception(
            "path", "step " + position + " must be a decimal index, optionally followed by ' or h");
      }
    }
    // One text per path: "01" and "1" would otherwise name the same child.
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      throw new Bip32Exception("path", "step " + position + " has a leading zero");
    }
    // More than 10 digits cannot be below 2^31; cap the length so the long parse cannot overflow.
    if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
      throw new Bip32Exception(
          "path",
          "index "
              + digits
              + " is out of range (must be below 2^31; mark hardened steps with ' or h)");
    }
    int index = Integer.parseInt(digits);
    return hardened ? index | HARDENED_BIT : index;
  }

  /**
   * A path from raw child numbers (any 32-bit value; negative ints are hardened).
   *
   * @throws IllegalArgumentException for more than {@value #MAX_DEPTH} steps or a null element
   */
  public static DerivationPath of(List<Integer> childNumbers) {
    List<Integer> copy = List.copyOf(childNumbers); // rejects null elements
    if (copy.size() > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "path: depth " + copy.size() + " exceeds the maximum of " + MAX_DEPTH);
    }
    return copy.isEmpty() ? ROOT : new DerivationPath(copy);
  }

  /**
   * The account path of BIP-44 and its successors (BIP-49, BIP-84, BIP-86): {@code
   * m/purpose'/coin_type'/account'}, with the SLIP-44 coin type of {@code network}.
   *
   * @throws IllegalArgumentException if {@code purpose} or {@code account} is not in [0, 2^31)
   */
  public static DerivationPath account(int purpose, Network network, int account) {
    return ROOT.hardenedChild(purpose).hardenedChild(network.coinType()).hardenedChild(account);
  }

  /** This path with a non-hardened step {@code index} appended. */
  public DerivationPath child(int index) {
    return append(checkIndex(index));
  }

  /** This path with a hardened step {@code index}' appended. */
  public DerivationPath hardenedChild(int index) {
    return append(harden(index));
  }

  private DerivationPath append(int childNumber) {
    if (childNumbers.size() == MAX_DEPTH) {
      throw new IllegalArgumentException("path: depth would exceed the maximum of " + MAX_DEPTH);
    }
    List<Integer> out = new ArrayList<>(childNumbers.size() + 1);
    out.addAll(childNumbers);
    out.add(childNumber);
    return new DerivationPath(List.copyOf(out));
  }

  /**
   * The hardened child number for {@code index} (§Extended keys: i_H = i + 2^31).
   *
   * @throws IllegalArgumentException if {@code index} is not in [0, 2^31)
   */
  public static int harden(int index) {
    return checkIndex(index) | HARDENED_BIT;
  }

  /** §Child key derivation: a child is hardened when i ≥ 2^31. */
  public static boolean isHardened(int childNumber) {
    return (childNumber & HARDENED_BIT) != 0;
  }

  private static int checkIndex(int index) {
    if (index < 0) {
      throw new IllegalArgumentException(
          "path: index "
              + Integer.toUnsignedString(index)
              + " is out of range (must be below 2^31)");
    }
    return index;
  }

  /** The raw child numbers, first step first; unmodifiable. */
  public List<Integer> childNumbers() {
    return childNumbers;
  }

  /** The number of steps. */
  public int depth() {
    return childNumbers.size();
  }

  /** True if any step is hardened, which makes the path underivable from an extended public key. */
  public boolean hasHardenedStep() {
    return childNumbers.stream().anyMatch(DerivationPath::isHardened);
  }

  /** One step as text: the index, then {@code '} when hardened. */
  static String formatStep(int childNumber) {
    return isHardened(childNumber)
        ? (childNumber & ~HARDENED_BIT) + "'"
        : Integer.toString(childNumber);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DerivationPath other && childNumbers.equals(other.childNumbers);
  }

  @Override
  public int hashCode() {
    return childNumbers.hashCode();
  }

  /** The canonical text form, e.g. {@code m/86'/1'/0'/0/5}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("m");
    for (int childNumber : childNumbers) {
      out.append('/').append(formatStep(childNumber));
    }
    return out.toString();
  }
}
