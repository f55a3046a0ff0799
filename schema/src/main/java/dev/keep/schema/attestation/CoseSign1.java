package dev.keep.schema.attestation;

import dev.keep.schema.attestation.AttestationException.Malformed;
import dev.keep.schema.attestation.AttestationException.WrongAlgorithm;
import dev.keep.schema.attestation.Cbor.Bytes;
import dev.keep.schema.attestation.Cbor.CborMap;
import dev.keep.schema.attestation.Cbor.Int;
import dev.keep.schema.attestation.Cbor.Item;
import java.util.List;

/**
 * A COSE_Sign1 message (RFC 9052 §4.2) with an ES384 signature, as the Nitro NSM produces it:
 *
 * <pre>
 *   COSE_Sign1 = [ protected : bstr .cbor {1: -35}, unprotected : {}, payload : bstr, signature : bstr ]
 * </pre>
 *
 * optionally under CBOR tag 18 (RFC 9052 §2, Table 1).
 */
record CoseSign1(byte[] protectedHeader, byte[] payload, byte[] signature) {
  /** RFC 9052 §2: the CBOR tag of a COSE_Sign1 message. */
  static final long TAG = 18;

  /** RFC 9053 §2.1, Table 1: ES384, ECDSA with SHA-384. */
  static final long ES384 = -35;

  /** RFC 9052 §3.1, Table 2: the alg and crit header labels. */
  private static final Int ALG = new Int(1);

  private static final Int CRIT = new Int(2);

  /** Decodes and checks the structure and the protected header's algorithm. */
  static CoseSign1 decode(byte[] document) throws Malformed, WrongAlgorithm {
    Item top;
    try {
      top = Cbor.decode(document);
    } catch (Cbor.DecodingException e) {
      throw new Malformed("COSE_Sign1: not CBOR: " + e.getMessage());
    }
    if (top instanceof Cbor.Tagged tagged) {
      if (tagged.tag() != TAG) {
        throw new Malformed("COSE_Sign1: tag " + Long.toUnsignedString(tagged.tag()) + ", expected none or 18");
      }
      top = tagged.content();
    }
    if (!(top instanceof Cbor.Array array) || array.items().size() != 4) {
      throw new Malformed("COSE_Sign1: expected an array of 4 items, found " + describe(top));
    }
    List<Item> items = array.items();
    byte[] protectedHeader = bytes(items.get(0), "protected header");
    if (!(items.get(1) instanceof CborMap unprotected)) {
      throw new Malformed("COSE_Sign1: unprotected header is " + items.get(1).aKind() + ", expected a map");
    }
    if (items.get(2) == Cbor.Simple.NULL) {
      throw new Malformed("COSE_Sign1: detached payload (nil); an attestation document carries its payload");
    }
    byte[] payload = bytes(items.get(2), "payload");
    byte[] signature = bytes(items.get(3), "signature");
    checkProtectedHeader(protectedHeader);
    // RFC 9052 §3: a header parameter must not appear in both buckets, and alg must be protected.
    if (unprotected.entries().containsKey(ALG)) {
      throw new Malformed("COSE_Sign1: unprotected header carries alg; it must be in the protected header only");
    }
    return new CoseSign1(protectedHeader, payload, signature);
  }

  /**
   * The bytes the signature covers, RFC 9052 §4.4: {@code Sig_structure = ["Signature1",
   * body_protected, external_aad, payload]} with an empty external_aad.
   */
  byte[] toBeSigned() {
    return new CborWriter()
        .array(4)
        .text("Signature1")
        .bytes(protectedHeader)
        .bytes(new byte[0])
        .bytes(payload)
        .toByteArray();
  }

  private static void checkProtectedHeader(byte[] encoded) throws Malformed, WrongAlgorithm {
    if (encoded.length == 0) {
      // RFC 9052 §3: an empty protected header is a zero-length bstr; then alg is missing.
      throw new WrongAlgorithm("protected header is empty; expected alg ES384 (-35)");
    }
    Item header;
    try {
      header = Cbor.decode(encoded);
    } catch (Cbor.DecodingException e) {
      throw new Malformed("protected header: not CBOR: " + e.getMessage());
    }
    if (!(header instanceof CborMap map)) {
      throw new Malformed("protected header: " + header.aKind() + ", expected a map");
    }
    Item alg = map.entries().get(ALG);
    if (alg == null) {
      throw new WrongAlgorithm("protected header has no alg (1); expected ES384 (-35)");
    }
    if (!(alg instanceof Int value) || value.value() != ES384) {
      throw new WrongAlgorithm("alg is " + describe(alg) + ", expected ES384 (-35)");
    }
    // RFC 9052 §3.1: a recipient must reject a message whose crit lists a label it does not
    // process; this verifier processes none beyond alg.
    if (map.entries().containsKey(CRIT)) {
      throw new Malformed("protected header: crit (2) is present; no critical header is supported");
    }
  }

  private static byte[] bytes(Item item, String field) throws Malformed {
    if (!(item instanceof Bytes bytes)) {
      throw new Malformed("COSE_Sign1: " + field + " is " + item.aKind() + ", expected a byte string");
    }
    return bytes.value();
  }

  private static String describe(Item item) {
    return switch (item) {
      case Int i -> Long.toString(i.value());
      case Cbor.Text t -> "\"" + t.value() + "\"";
      case Cbor.Array a -> "an array of " + a.items().size();
      default -> item.aKind();
    };
  }
}
