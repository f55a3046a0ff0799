package dev.keep.enclave.keys.hd;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.hd.ExtendedKeyFormat.Header;
import dev.keep.enclave.keys.hd.ExtendedKeyFormat.Kind;
import fr.acinq.secp256k1.Secp256k1;
import fr.acinq.secp256k1.Secp256k1Exception;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A BIP-32 extended public key (K, c) with its place in the tree: depth, parent fingerprint and
 * child number. Immutable. It derives non-hardened children only (§Public parent key → public child
 * key).
 *
 * <p>An extended public key is not a secret, but it is not an ordinary public key either: with any
 * non-hardened child private key it gives away the parent private key (§Security, Implications). So
 * {@link #toString()} leaves the chain code out; share the key deliberately, through {@link
 * #serialize}.
 */
public final class ExtendedPublicKey {
  private static final Secp256k1 SECP = Secp256k1.get();

  private final PublicKey publicKey;
  private final ChainCode chainCode;
  private final int depth;
  private final Fingerprint parentFingerprint;
  private final int childNumber;

  private ExtendedPublicKey(
      PublicKey publicKey,
      ChainCode chainCode,
      int depth,
      Fingerprint parentFingerprint,
      int childNumber) {
    this.publicKey = publicKey;
    this.chainCode = chainCode;
    this.depth = depth;
    this.parentFingerprint = parentFingerprint;
    this.childNumber = childNumber;
  }

  /** Takes ownership of {@code chainCode}. */
  static ExtendedPublicKey create(
      PublicKey publicKey,
      ChainCode chainCode,
      int depth,
      Fingerprint parentFingerprint,
      int childNumber) {
    if (depth < 0 || depth > DerivationPath.MAX_DEPTH) {
      throw new IllegalArgumentException("depth must be 0 to " + DerivationPath.MAX_DEPTH);
    }
    return new ExtendedPublicKey(
        Objects.requireNonNull(publicKey),
        Objects.requireNonNull(chainCode),
        depth,
        Objects.requireNonNull(parentFingerprint),
        childNumber);
  }

  /** An extended public key read from text, and the network its version bytes name. */
  public record Parsed(ExtendedPublicKey key, Network network) {}

  /**
   * Applies each step of {@code path} from this key ({@code m} here means this key).
   *
   * @throws IllegalArgumentException if a step is hardened or the result would be deeper than 255
   */
  public ExtendedPublicKey derive(DerivationPath path) {
    if (path.hasHardenedStep()) {
      throw new IllegalArgumentException(
          "path: " + path + " has a hardened step, which needs the private key");
    }
    if (depth + path.depth() > DerivationPath.MAX_DEPTH) {
      throw new IllegalArgumentException(
          String.format(
              "depth: deriving %s from depth %d would exceed %d",
              path, depth, DerivationPath.MAX_DEPTH));
    }
    ExtendedPublicKey current = this;
    for (int step : path.childNumbers()) {
      current = current.deriveChild(step);
    }
    return current;
  }

  /**
   * BIP-32 §Public parent key → public child key, CKDpub((K_par, c_par), i) for a non-hardened i:
   *
   * <pre>
   *   I   = HMAC-SHA512(Key = c_par, Data = ser_P(K_par) || ser_32(i))
   *   K_i = point(parse_256(I_L)) + K_par
   *   c_i = I_R
   * </pre>
   *
   * "In case parse_256(I_L) ≥ n or K_i is the point at infinity, the resulting key is invalid, and
   * one should proceed with the next value for i"; the result's {@link #childNumber()} is the i
   * actually used.
   *
   * @throws IllegalArgumentException if {@code childNumber} is hardened ("return failure") or this
   *     key is at depth 255
   */
  public ExtendedPublicKey deriveChild(int childNumber) {
    if (DerivationPath.isHardened(childNumber)) {
      throw new IllegalArgumentException(
          "child number: "
              + DerivationPath.formatStep(childNumber)
              + " is hardened; an extended public key derives only non-hardened children");
    }
    if (depth == DerivationPath.MAX_DEPTH) {
      throw new IllegalArgumentException("depth: a key at depth 255 has no serializable children");
    }
    int i = childNumber;
    while (true) {
      Optional<ExtendedPublicKey> child = tryChild(i);
      if (child.isPresent()) {
        return child.get();
      }
      i = ExtendedPrivateKey.nextChildNumber(i);
    }
  }

  private Optional<ExtendedPublicKey> tryChild(int i) {
    byte[] hmac =
        Bip32Hashes.hmacSha512(chainCode.expose(), publicKey.toBytes(), ExtendedKeyFormat.ser32(i));
    byte[] il = Arrays.copyOfRange(hmac, 0, 32);
    byte[] childKey;
    try {
      // libsecp256k1 fails when I_L ≥ n or the sum is the point at infinity.
      childKey = SECP.pubKeyTweakAdd(publicKey.toBytes(), il);
    } catch (Secp256k1Exception e) {
      return Optional.empty();
    }
    return Optional.of(
        new ExtendedPublicKey(
            PublicKey.fromUncompressed(childKey),
            ChainCode.adopt(Arrays.copyOfRange(hmac, 32, 64)),
            depth + 1,
            fingerprint(),
            i));
  }

  /** BIP-32 §Serialization format with key data ser_P(K): an xpub or tpub string. */
  public String serialize(Network network) {
    return ExtendedKeyFormat.encode(
        new Header(network.xpubVersion(), depth, parentFingerprint, childNumber),
        chainCode,
        publicKey.toBytes());
  }

  /**
   * Reads an xpub or tpub string. Test networks share version bytes, so a tpub is reported as
   * {@link Network#TESTNET}; use {@link #parse(String, Network)} to require a network.
   *
   * @throws Bip32Exception naming the field that breaks §Serialization format: {@code length},
   *     {@code encoding}, {@code checksum}, {@code version}, {@code parent fingerprint} or {@code
   *     child number} (at depth 0), or {@code key} (not 0x02/0x03 || x, or x not on the curve)
   */
  public static Parsed parse(String text) {
    return decode(text, null);
  }

  /**
   * Reads an xpub or tpub string whose version bytes must be those of {@code expected}.
   *
   * @throws Bip32Exception as {@link #parse(String)}, and for the version of another network
   */
  public static ExtendedPublicKey parse(String text, Network expected) {
    return decode(text, Objects.requireNonNull(expected, "expected")).key();
  }

  private static Parsed decode(String text, Network expected) {
    Objects.requireNonNull(text, "text");
    byte[] payload = ExtendedKeyFormat.decode(text, Kind.PUBLIC, expected);
    Header header = ExtendedKeyFormat.header(payload);
    byte[] keyData = ExtendedKeyFormat.keyData(payload);
    // §Serialization format: "implementations must verify whether the X coordinate in the public
    // key data corresponds to a point on the curve".
    String problem = PublicKey.problemWith(keyData);
    if (problem != null) {
      throw new Bip32Exception("key", "public key " + problem);
    }
    ExtendedPublicKey key =
        new ExtendedPublicKey(
            PublicKey.ofCompressed(keyData),
            ChainCode.adopt(ExtendedKeyFormat.chainCode(payload)),
            header.depth(),
            header.parentFingerprint(),
            header.childNumber());
    return new Parsed(key, ExtendedKeyFormat.networkOf(header.version(), Kind.PUBLIC));
  }

  /** K, compressed (ser_P). */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** §Key identifiers: the first 32 bits of HASH160(ser_P(K)). */
  public Fingerprint fingerprint() {
    return Fingerprint.of(publicKey);
  }

  /** The fingerprint of the parent key; {@link Fingerprint#NONE} for a master key. */
  public Fingerprint parentFingerprint() {
    return parentFingerprint;
  }

  /** 0 for a master key, 1 for its children, and so on. */
  public int depth() {
    return depth;
  }

  /** The raw i this key was derived with (hardened if the top bit is set); 0 for a master key. */
  public int childNumber() {
    return childNumber;
  }

  ChainCode chainCode() {
    return chainCode;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExtendedPublicKey other
        && publicKey.equals(other.publicKey)
        && Arrays.equals(chainCode.expose(), other.chainCode.expose())
        && depth == other.depth
        && parentFingerprint.equals(other.parentFingerprint)
        && childNumber == other.childNumber;
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  /**
   * Depth, child number, parent fingerprint and K; never the chain code (see the class comment).
   */
  @Override
  public String toString() {
    return "ExtendedPublicKey[depth="
        + depth
        + ", childNumber="
        + DerivationPath.formatStep(childNumber)
        + ", parentFingerprint="
        + parentFingerprint
        + ", publicKey="
        + publicKey
        + "]";
  }
}
