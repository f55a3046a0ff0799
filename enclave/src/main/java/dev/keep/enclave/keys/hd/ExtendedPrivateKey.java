package dev.keep.enclave.keys.hd;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.hd.ExtendedKeyFormat.Header;
import dev.keep.enclave.keys.hd.ExtendedKeyFormat.Kind;
import fr.acinq.secp256k1.Secp256k1;
import fr.acinq.secp256k1.Secp256k1Exception;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A BIP-32 extended private key (k, c) with its place in the tree: depth, parent fingerprint and
 * child number. Both k and the chain code c are secret and are wiped by {@link #close()}; it prints
 * {@code <redacted>}.
 *
 * <p>All arithmetic on k is done by libsecp256k1 ({@code privKeyTweakAdd}, {@code pubkeyCreate},
 * {@code secKeyVerify}), which is constant time in the secret; nothing here turns a secret into a
 * {@code BigInteger}. Arrays that hold secret material on the way (the HMAC output I, I_L, I_R,
 * serialization buffers) are zeroed once used. Copies made inside the JCE HMAC, the JNI layer and
 * bitcoinj's Base58 are beyond this class's reach.
 *
 * <p>Not safe to close from one thread while another derives from it.
 */
public final class ExtendedPrivateKey implements AutoCloseable {
  /** §Master key generation: "between 128 and 512 bits". */
  public static final int MIN_SEED_LENGTH = 16;

  public static final int MAX_SEED_LENGTH = 64;

  private static final Secp256k1 SECP = Secp256k1.get();
  private static final byte[] MASTER_HMAC_KEY = "Bitcoin seed".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HARDENED_PAD = {0x00};

  private final SecretKey key;
  private final ChainCode chainCode;
  private final PublicKey publicKey;
  private final int depth;
  private final Fingerprint parentFingerprint;
  private final int childNumber;
  private volatile boolean closed;

  /** Takes ownership of {@code key} and {@code chainCode}; {@code key} must be in [1, n-1]. */
  private ExtendedPrivateKey(
      SecretKey key,
      ChainCode chainCode,
      int depth,
      Fingerprint parentFingerprint,
      int childNumber) {
    this.key = key;
    this.chainCode = chainCode;
    this.publicKey = PublicKey.fromUncompressed(SECP.pubkeyCreate(key.expose()));
    this.depth = depth;
    this.parentFingerprint = parentFingerprint;
    this.childNumber = childNumber;
  }

  /** An extended private key read from text, and the network its version bytes name. */
  public record Parsed(ExtendedPrivateKey key, Network network) {}

  /**
   * BIP-32 §Master key generation: I = HMAC-SHA512(Key = "Bitcoin seed", Data = seed); I_L is the
   * master secret key and I_R the master chain code. The seed is read, not kept or wiped.
   *
   * @throws Bip32Exception (field {@code seed}) if the seed is not 16 to 64 bytes, or if I_L is 0
   *     or not below n ("the master key is invalid"; probability below 2^-127)
   */
  public static ExtendedPrivateKey fromSeed(byte[] seed) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length < MIN_SEED_LENGTH || seed.length > MAX_SEED_LENGTH) {
      throw new Bip32Exception(
          "seed",
          String.format(
              "must be %d to %d bytes (128 to 512 bits), got %d",
              MIN_SEED_LENGTH, MAX_SEED_LENGTH, seed.length));
    }
    byte[] i = Bip32Hashes.hmacSha512(MASTER_HMAC_KEY, seed);
    byte[] il = Arrays.copyOfRange(i, 0, 32);
    try {
      // secKeyVerify is libsecp256k1's constant-time check of 0 < I_L < n.
      if (!SECP.secKeyVerify(il)) {
        Arrays.fill(il, (byte) 0);
        throw new Bip32Exception(
            "seed", "gives an invalid master key (I_L is 0 or not below n); use another seed");
      }
      return new ExtendedPrivateKey(
          SecretKey.adopt(il),
          ChainCode.adopt(Arrays.copyOfRange(i, 32, 64)),
          0,
          Fingerprint.NONE,
          0);
    } finally {
      Arrays.fill(i, (byte) 0);
    }
  }

  /**
   * Applies each step of {@code path} in turn, starting from this key (so {@code m} here means this
   * key, whatever its depth). Intermediate keys are closed. The caller owns, and must close, the
   * result, which is a fresh copy even for {@link DerivationPath#ROOT}.
   *
   * @throws IllegalArgumentException if the result would be deeper than 255
   */
  public ExtendedPrivateKey derive(DerivationPath path) {
    checkOpen();
    if (depth + path.depth() > DerivationPath.MAX_DEPTH) {
      throw new IllegalArgumentException(
          String.format(
              "depth: deriving %s from depth %d would exceed %d",
              path, depth, DerivationPath.MAX_DEPTH));
    }
    if (path.depth() == 0) {
      return new ExtendedPrivateKey(
          SecretKey.adopt(key.expose().clone()),
          chainCode.copy(),
          depth,
          parentFingerprint,
          childNumber);
    }
    ExtendedPrivateKey current = this;
    for (int step : path.childNumbers()) {
      ExtendedPrivateKey next;
      try {
        next = current.deriveChild(step);
      } finally {
        if (current != this) {
          current.close();
        }
      }
      current = next;
    }
    return current;
  }

  /**
   * BIP-32 §Private parent key → private child key, CKDpriv((k_par, c_par), i). {@code childNumber}
   * is the raw i: hardened when the top bit is set (see {@link DerivationPath#harden}).
   *
   * <p>"In case parse_256(I_L) ≥ n or k_i = 0, the resulting key is invalid, and one should proceed
   * with the next value for i." The result's {@link #childNumber()} is the i actually used. The
   * search never crosses from normal to hardened children or past 2^32-1; it would throw there, at
   * a probability far below 2^-127.
   *
   * @throws IllegalArgumentException if this key is at depth 255
   */
  public ExtendedPrivateKey deriveChild(int childNumber) {
    checkOpen();
    if (depth == DerivationPath.MAX_DEPTH) {
      throw new IllegalArgumentException("depth: a key at depth 255 has no serializable children");
    }
    int i = childNumber;
    while (true) {
      Optional<ExtendedPrivateKey> child = tryChild(i);
      if (child.isPresent()) {
        return child.get();
      }
      i = nextChildNumber(i);
    }
  }

  private Optional<ExtendedPrivateKey> tryChild(int i) {
    byte[] index = ExtendedKeyFormat.ser32(i);
    // Hardened: Data = 0x00 || ser_256(k_par) || ser_32(i), fed in pieces so no buffer holds k.
    // Normal:   Data = ser_P(point(k_par)) || ser_32(i).
    byte[] hmac =
        DerivationPath.isHardened(i)
            ? Bip32Hashes.hmacSha512(chainCode.expose(), HARDENED_PAD, key.expose(), index)
            : Bip32Hashes.hmacSha512(chainCode.expose(), publicKey.toBytes(), index);
    byte[] il = Arrays.copyOfRange(hmac, 0, 32);
    try {
      byte[] childKey;
      try {
        // k_i = parse_256(I_L) + k_par (mod n); libsecp256k1 fails when I_L ≥ n or k_i = 0.
        childKey = SECP.privKeyTweakAdd(key.expose(), il);
      } catch (Secp256k1Exception e) {
        return Optional.empty();
      }
      return Optional.of(
          new ExtendedPrivateKey(
              SecretKey.adopt(childKey),
              ChainCode.adopt(Arrays.copyOfRange(hmac, 32, 64)),
              depth + 1,
              fingerprint(),
              i));
    } finally {
      Arrays.fill(hmac, (byte) 0);
      Arrays.fill(il, (byte) 0);
    }
  }

  /**
   * The next i to try after an invalid child, staying on the same side of the hardened boundary.
   */
  static int nextChildNumber(int i) {
    if (i == Integer.MAX_VALUE || i == -1) {
      throw new IllegalStateException(
          "no valid child at or after " + DerivationPath.formatStep(i) + " on this side of 2^31");
    }
    return i + 1;
  }

  /**
   * BIP-32 §Private parent key → public child key, N((k, c)) = (point(k), c): the extended public
   * key with the same chain code and place in the tree.
   */
  public ExtendedPublicKey neuter() {
    checkOpen();
    return ExtendedPublicKey.create(
        publicKey, chainCode.copy(), depth, parentFingerprint, childNumber);
  }

  /**
   * BIP-32 §Serialization format with private key data 0x00 || ser_256(k): an xprv or tprv string.
   *
   * <p>For local-mode import and tests only. The returned String holds the key and cannot be wiped;
   * keys generated in the enclave must never be exported this way.
   */
  public String serialize(Network network) {
    checkOpen();
    byte[] keyData = new byte[ExtendedKeyFormat.KEY_LENGTH];
    try {
      System.arraycopy(key.expose(), 0, keyData, 1, SecretKey.LENGTH);
      return ExtendedKeyFormat.encode(
          new Header(network.xprvVersion(), depth, parentFingerprint, childNumber),
          chainCode,
          keyData);
    } finally {
      Arrays.fill(keyData, (byte) 0);
    }
  }

  /**
   * Reads an xprv or tprv string (local-mode import and tests). Test networks share version bytes,
   * so a tprv is reported as {@link Network#TESTNET}; use {@link #parse(String, Network)} to
   * require a network.
   *
   * @throws Bip32Exception naming the field that breaks §Serialization format: {@code length},
   *     {@code encoding}, {@code checksum}, {@code version}, {@code parent fingerprint} or {@code
   *     child number} (at depth 0), or {@code key} (data not 0x00 || k, or k not in [1, n-1])
   */
  public static Parsed parse(String text) {
    return decode(text, null);
  }

  /**
   * Reads an xprv or tprv string whose version bytes must be those of {@code expected}.
   *
   * @throws Bip32Exception as {@link #parse(String)}, and for the version of another network
   */
  public static ExtendedPrivateKey parse(String text, Network expected) {
    return decode(text, Objects.requireNonNull(expected, "expected")).key();
  }

  private static Parsed decode(String text, Network expected) {
    Objects.requireNonNull(text, "text");
    return fromCheckedPayload(ExtendedKeyFormat.decode(text, Kind.PRIVATE, expected));
  }

  /**
   * The 78-byte §Serialization format payload (version for {@code network}, no Base58, no
   * checksum), for the key vault to seal. It holds the secret: the caller wipes it.
   */
  public byte[] toPayload(Network network) {
    checkOpen();
    return java.nio.ByteBuffer.allocate(ExtendedKeyFormat.PAYLOAD_LENGTH)
        .putInt(network.xprvVersion())
        .put((byte) depth)
        .putInt(parentFingerprint.value())
        .putInt(childNumber)
        .put(chainCode.expose())
        .put((byte) 0x00)
        .put(key.expose())
        .array();
  }

  /**
   * The inverse of {@link #toPayload}, with the same key checks as {@link #parse(String)}. The
   * payload is wiped.
   */
  public static ExtendedPrivateKey fromPayload(byte[] payload, Network expected) {
    if (payload.length != ExtendedKeyFormat.PAYLOAD_LENGTH
        || ExtendedKeyFormat.header(payload).version() != expected.xprvVersion()) {
      Arrays.fill(payload, (byte) 0);
      throw new Bip32Exception("version", "sealed extended key is not a " + expected.wireName() + " private key");
    }
    return fromCheckedPayload(payload).key();
  }

  private static Parsed fromCheckedPayload(byte[] payload) {
    byte[] keyData = ExtendedKeyFormat.keyData(payload);
    try {
      Header header = ExtendedKeyFormat.header(payload);
      if (keyData[0] != 0x00) {
        throw new Bip32Exception(
            "key",
            String.format(
                "private key data must be 0x00 followed by k, found prefix 0x%02x", keyData[0]));
      }
      byte[] k = Arrays.copyOfRange(keyData, 1, keyData.length);
      if (!SECP.secKeyVerify(k)) {
        Arrays.fill(k, (byte) 0);
        throw new Bip32Exception("key", "private key is not in 1..n-1");
      }
      ExtendedPrivateKey key =
          new ExtendedPrivateKey(
              SecretKey.adopt(k),
              ChainCode.adopt(ExtendedKeyFormat.chainCode(payload)),
              header.depth(),
              header.parentFingerprint(),
              header.childNumber());
      return new Parsed(key, ExtendedKeyFormat.networkOf(header.version(), Kind.PRIVATE));
    } finally {
      Arrays.fill(payload, (byte) 0);
      Arrays.fill(keyData, (byte) 0);
    }
  }

  /**
   * The secret key k, for the signing engine. It belongs to this extended key: {@link #close()}
   * wipes it, so use it inside the try-with-resources that owns this key.
   */
  public SecretKey secretKey() {
    checkOpen();
    return key;
  }

  /** point(k), compressed (ser_P). */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** §Key identifiers: the first 32 bits of HASH160(ser_P(point(k))). */
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

  /** The chain code, for {@link ExtendedPublicKey} tests in this package. */
  ChainCode chainCode() {
    return chainCode;
  }

  /** Wipes k and the chain code. Later calls that need them throw {@link IllegalStateException}. */
  @Override
  public void close() {
    closed = true;
    key.wipe();
    chainCode.wipe();
  }

  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("extended private key was closed");
    }
  }

  @Override
  public String toString() {
    return "<redacted>";
  }
}
