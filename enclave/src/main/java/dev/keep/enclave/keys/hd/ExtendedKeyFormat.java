package dev.keep.enclave.keys.hd;

import dev.keep.enclave.keys.Network;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.bitcoinj.base.Base58;
import org.bitcoinj.base.exceptions.AddressFormatException;

/**
 * BIP-32 §Serialization format: the 78-byte layout shared by extended public and private keys, and
 * its Base58Check text (78 bytes, then the first 4 bytes of SHA256(SHA256(those 78 bytes))).
 *
 * <pre>
 *   offset  size  field
 *        0     4  version (xpub/xprv/tpub/tprv)
 *        4     1  depth
 *        5     4  parent fingerprint
 *        9     4  child number
 *       13    32  chain code
 *       45    33  key data: ser_P(K), or 0x00 || ser_256(k)
 * </pre>
 *
 * Buffers that may hold a private key are wiped here or handed to a caller that wipes them.
 * bitcoinj's Base58 keeps short-lived internal copies of what it decodes; those are out of reach.
 */
final class ExtendedKeyFormat {
  static final int PAYLOAD_LENGTH = 78;
  static final int CHECKSUM_LENGTH = 4;
  static final int CHAIN_CODE_OFFSET = 13;
  static final int KEY_OFFSET = 45;
  static final int KEY_LENGTH = 33;

  /** §Serialization format: "a Base58-encoded string of up to 112 characters". */
  static final int MAX_TEXT_LENGTH = 112;

  private ExtendedKeyFormat() {}

  /** The metadata fields, checked against each other by {@link #decode}. */
  record Header(int version, int depth, Fingerprint parentFingerprint, int childNumber) {}

  /** Which kind of key a version announces; {@link #decode} refuses the other kind. */
  enum Kind {
    PUBLIC("an extended public key (xpub/tpub)"),
    PRIVATE("an extended private key (xprv/tprv)");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    int versionOf(Network network) {
      return this == PUBLIC ? network.xpubVersion() : network.xprvVersion();
    }
  }

  /** Writes the layout and returns its Base58Check text; {@code keyData} is not retained. */
  static String encode(Header header, ChainCode chainCode, byte[] keyData) {
    if (keyData.length != KEY_LENGTH) {
      throw new IllegalArgumentException("key data must be " + KEY_LENGTH + " bytes");
    }
    if (header.depth() < 0 || header.depth() > DerivationPath.MAX_DEPTH) {
      throw new IllegalArgumentException("depth must fit in one byte");
    }
    byte[] buffer = new byte[PAYLOAD_LENGTH + CHECKSUM_LENGTH];
    try {
      ByteBuffer.wrap(buffer)
          .putInt(header.version())
          .put((byte) header.depth())
          .putInt(header.parentFingerprint().value())
          .putInt(header.childNumber())
          .put(chainCode.expose())
          .put(keyData);
      byte[] checksum = Bip32Hashes.doubleSha256(buffer, PAYLOAD_LENGTH);
      System.arraycopy(checksum, 0, buffer, PAYLOAD_LENGTH, CHECKSUM_LENGTH);
      return Base58.encode(buffer);
    } finally {
      Arrays.fill(buffer, (byte) 0);
    }
  }

  /**
   * Decodes Base58Check text to the 78-byte layout, checking, in order: the text length, the Base58
   * alphabet, the decoded length, the checksum, that the version is one of {@code kind} (for {@code
   * expected}, when it is not null), and the depth-0 rules of §Serialization format (a master key
   * has parent fingerprint 0x00000000 and child number 0). The key data is left to the caller,
   * which knows what kind of key it holds.
   *
   * @return the 78 bytes; the caller owns them and must wipe them when they hold a private key
   * @throws Bip32Exception naming the first field that is wrong
   */
  static byte[] decode(String text, Kind kind, Network expected) {
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new Bip32Exception(
          "length",
          "an extended key is at most " + MAX_TEXT_LENGTH + " characters, got " + text.length());
    }
    byte[] decoded;
    try {
      decoded = Base58.decode(text);
    } catch (AddressFormatException e) {
      throw new Bip32Exception("encoding", "not Base58");
    }
    byte[] payload = Arrays.copyOf(decoded, PAYLOAD_LENGTH);
    boolean ok = false;
    try {
      if (decoded.length != PAYLOAD_LENGTH + CHECKSUM_LENGTH) {
        throw new Bip32Exception(
            "length",
            String.format(
                "decodes to %d bytes; an extended key is %d (%d and a %d-byte checksum)",
                decoded.length,
                PAYLOAD_LENGTH + CHECKSUM_LENGTH,
                PAYLOAD_LENGTH,
                CHECKSUM_LENGTH));
      }
      byte[] checksum =
          Arrays.copyOf(Bip32Hashes.doubleSha256(payload, PAYLOAD_LENGTH), CHECKSUM_LENGTH);
      byte[] given = Arrays.copyOfRange(decoded, PAYLOAD_LENGTH, decoded.length);
      if (!MessageDigest.isEqual(checksum, given)) {
        throw new Bip32Exception("checksum", "does not match the key data");
      }
      checkVersion(header(payload).version(), kind, expected);
      checkMasterRules(header(payload));
      ok = true;
      return payload;
    } finally {
      Arrays.fill(decoded, (byte) 0);
      if (!ok) {
        Arrays.fill(payload, (byte) 0);
      }
    }
  }

  static Header header(byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload);
    int version = in.getInt();
    int depth = Byte.toUnsignedInt(in.get());
    Fingerprint parent = new Fingerprint(in.getInt());
    int childNumber = in.getInt();
    return new Header(version, depth, parent, childNumber);
  }

  /**
   * The first network whose version bytes for {@code kind} are {@code version}; TESTNET stands for
   * all test networks.
   */
  static Network networkOf(int version, Kind kind) {
    for (Network network : Network.values()) {
      if (kind.versionOf(network) == version) {
        return network;
      }
    }
    throw new IllegalStateException("version was checked by decode");
  }

  private static void checkVersion(int version, Kind kind, Network expected) {
    Kind other = kind == Kind.PUBLIC ? Kind.PRIVATE : Kind.PUBLIC;
    boolean isKind = false;
    boolean isOther = false;
    for (Network network : Network.values()) {
      isKind |= kind.versionOf(network) == version;
      isOther |= other.versionOf(network) == version;
    }
    if (!isKind && isOther) {
      throw new Bip32Exception(
          "version",
          String.format("0x%08x is %s; expected %s", version, other.description, kind.description));
    }
    if (!isKind) {
      throw new Bip32Exception("version", String.format("unknown version bytes 0x%08x", version));
    }
    if (expected != null && kind.versionOf(expected) != version) {
      throw new Bip32Exception(
          "version",
          String.format(
              "0x%08x is not the %s version for %s",
              version, kind == Kind.PUBLIC ? "xpub" : "xprv", expected.wireName()));
    }
  }

  private static void checkMasterRules(Header header) {
    if (header.depth() != 0) {
      return;
    }
    if (!header.parentFingerprint().equals(Fingerprint.NONE)) {
      throw new Bip32Exception("parent fingerprint", "must be 00000000 at depth 0 (a master key)");
    }
    if (header.childNumber() != 0) {
      throw new Bip32Exception("child number", "must be 0 at depth 0 (a master key)");
    }
  }

  /** §Conventions ser_32(i): a 32-bit unsigned integer as 4 bytes, most significant first. */
  static byte[] ser32(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  /** The chain code bytes of a decoded payload, as a fresh array. */
  static byte[] chainCode(byte[] payload) {
    return Arrays.copyOfRange(payload, CHAIN_CODE_OFFSET, KEY_OFFSET);
  }

  /** The 33 key-data bytes of a decoded payload, as a fresh array. */
  static byte[] keyData(byte[] payload) {
    return Arrays.copyOfRange(payload, KEY_OFFSET, PAYLOAD_LENGTH);
  }
}
