package dev.keep.enclave.nostr;

import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Hex;
import java.util.List;

/** Events shared by the nostr tests. */
final class NostrTestEvents {
  static final String PUBKEY = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e";

  /**
   * Every character NIP-01 escapes, in content and in tags, next to characters it says to leave
   * verbatim: U+0001, U+001F, DEL, U+2028, "/", "é" and an emoji (U+1F389, a surrogate pair).
   */
  static final UnsignedEvent GOLDEN =
      new UnsignedEvent(
          pubkey(),
          1700000000L,
          1,
          List.of(
              List.of(
                  "e",
                  "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36",
                  "wss://relay.example.com/"),
              List.of(
                  "t",
                  "line\nbreak \"quoted\" back\\slash",
                  "tab\t cr\r bs\b ff\f",
                  "ctl\u0001 us\u001f del\u007f",
                  "caf\u00e9 \uD83C\uDF89")),
          "Hello, Nostr!\nShe said \"hi\" and left a back\\slash,\ta tab,\r\na CRLF, \b\f,"
              + " U+0001 [\u0001], \u00e9, \uD83C\uDF89, U+2028 [\u2028] and a /slash/.");

  /**
   * GOLDEN's NIP-01 serialization, written by hand from the rules: a Java "\\n" here is the two
   * bytes backslash and n that NIP-01 puts for a line feed, while the Java escape for U+0001 is
   * the raw byte 0x01, which NIP-01 leaves verbatim.
   */
  static final String GOLDEN_SERIALIZATION =
      "[0,\"7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e\",1700000000,1,"
          + "[[\"e\",\"5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36\","
          + "\"wss://relay.example.com/\"],"
          + "[\"t\",\"line\\nbreak \\\"quoted\\\" back\\\\slash\",\"tab\\t cr\\r bs\\b ff\\f\","
          + "\"ctl\u0001 us\u001f del\u007f\",\"caf\u00e9 \uD83C\uDF89\"]],"
          + "\"Hello, Nostr!\\nShe said \\\"hi\\\" and left a back\\\\slash,\\ta tab,\\r\\na CRLF,"
          + " \\b\\f, U+0001 [\u0001], \u00e9, \uD83C\uDF89, U+2028 [\u2028] and a /slash/.\"]";

  /**
   * SHA-256 of the same bytes, computed outside Java with printf, where "\\" is one backslash and
   * \NNN an octal byte:
   *
   * <pre>
   * printf '[0,"7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e",1700000000,1,[["e","5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36","wss://relay.example.com/"],["t","line\\nbreak \\"quoted\\" back\\\\slash","tab\\t cr\\r bs\\b ff\\f","ctl\001 us\037 del\177","caf\303\251 \360\237\216\211"]],"Hello, Nostr!\\nShe said \\"hi\\" and left a back\\\\slash,\\ta tab,\\r\\na CRLF, \\b\\f, U+0001 [\001], \303\251, \360\237\216\211, U+2028 [\342\200\250] and a /slash/."]' | sha256sum
   * </pre>
   */
  static final String GOLDEN_ID = "e48f725c59a6944768d4458a10809be41e7874386f17f78adb8f0ccd03ebc88c";

  static final int GOLDEN_LENGTH = 412;

  private NostrTestEvents() {}

  static XOnlyPublicKey pubkey() {
    return XOnlyPublicKey.of(Hex.decode("pubkey", PUBKEY));
  }

  static UnsignedEvent withContent(String content) {
    return new UnsignedEvent(pubkey(), 1700000000L, 1, List.of(), content);
  }
}
