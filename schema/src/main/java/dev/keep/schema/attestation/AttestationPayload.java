package dev.keep.schema.attestation;

import dev.keep.schema.attestation.AttestationException.Malformed;
import dev.keep.schema.attestation.Cbor.Bytes;
import dev.keep.schema.attestation.Cbor.CborMap;
import dev.keep.schema.attestation.Cbor.Int;
import dev.keep.schema.attestation.Cbor.Item;
import dev.keep.schema.attestation.Cbor.Text;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The payload of a Nitro attestation document, decoded but not yet trusted. The rules are those
 * of the Nitro attestation document specification (aws-nitro-enclaves-nsm-api,
 * docs/attestation_process.md §2.2 and §3.2.2):
 *
 * <pre>
 *   AttestationDocument = {
 *     module_id: text,  timestamp: uint .size 8,  digest: "SHA384",
 *     pcrs: { + index => pcr },  certificate: cert,  cabundle: [* cert],
 *     ? public_key: user_data,  ? user_data: user_data,  ? nonce: user_data }
 *   cert = bytes .size (1..1024)    user_data = bytes .size (0..1024)    index = 0..31
 * </pre>
 *
 * <p>Narrower than the specification in two places: a PCR is 48 bytes (the only size a SHA384
 * digest gives) and a public_key is at least one byte (§3.2.2.2). Wider in two: a key this
 * verifier does not know is ignored, so that a field AWS adds does not break verification, and an
 * optional field may be null, which is how the NSM's serialiser writes an absent one. The digest's
 * value is checked after the signature, by the verifier; here it must only be text.
 */
record AttestationPayload(
    String moduleId,
    String digest,
    long timestampMillis,
    PcrSet pcrs,
    byte[] certificate,
    List<byte[]> cabundle,
    Optional<AttestedPublicKey> publicKey,
    Optional<UserData> userData,
    Optional<Nonce> nonce) {
  static final int MAX_CERTIFICATE = 1024;
  static final int MAX_USER_DATA = 1024;

  static AttestationPayload decode(byte[] payload) throws Malformed {
    Item top;
    try {
      top = Cbor.decode(payload);
    } catch (Cbor.DecodingException e) {
      throw new Malformed("payload: not CBOR: " + e.getMessage());
    }
    if (!(top instanceof CborMap map)) {
      throw new Malformed("payload: " + top.aKind() + ", expected a map");
    }
    Map<String, Item> fields = new HashMap<>();
    for (Map.Entry<Item, Item> entry : map.entries().entrySet()) {
      if (!(entry.getKey() instanceof Text key)) {
        throw new Malformed("payload: a key is " + entry.getKey().aKind() + ", keys are text strings");
      }
      fields.put(key.value(), entry.getValue());
    }

    String moduleId = text(fields, "module_id");
    if (moduleId.isEmpty()) {
      throw new Malformed("module_id: empty");
    }
    String digest = text(fields, "digest");
    long timestamp = switch (required(fields, "timestamp")) {
      case Int i when i.value() > 0 -> i.value();
      case Int i -> throw new Malformed("timestamp: " + i.value() + ", must be greater than 0");
      case Item other -> throw wrongType("timestamp", other, "an unsigned integer");
    };
    PcrSet pcrs = pcrs(required(fields, "pcrs"));
    byte[] certificate = bytes(required(fields, "certificate"), "certificate", 1, MAX_CERTIFICATE);
    List<byte[]> cabundle = cabundle(required(fields, "cabundle"));
    return new AttestationPayload(
        moduleId,
        digest,
        timestamp,
        pcrs,
        certificate,
        cabundle,
        optional(fields, "public_key", 1, AttestedPublicKey.MAX_LENGTH, AttestedPublicKey::of),
        optional(fields, "user_data", 0, MAX_USER_DATA, UserData::of),
        optional(fields, "nonce", 0, Nonce.MAX_LENGTH, Nonce::of));
  }

  private static PcrSet pcrs(Item item) throws Malformed {
    if (!(item instanceof CborMap map)) {
      throw wrongType("pcrs", item, "a map");
    }
    if (map.entries().isEmpty() || map.entries().size() > PcrSet.MAX_INDEX + 1) {
      throw new Malformed("pcrs: " + map.entries().size() + " entries, expected 1.." + (PcrSet.MAX_INDEX + 1));
    }
    Map<Integer, Pcr> values = new HashMap<>();
    for (Map.Entry<Item, Item> entry : map.entries().entrySet()) {
      if (!(entry.getKey() instanceof Int index) || index.value() < 0 || index.value() > PcrSet.MAX_INDEX) {
        throw new Malformed("pcrs: an index is " + describeKey(entry.getKey()) + ", expected an integer 0.." + PcrSet.MAX_INDEX);
      }
      String field = "pcrs[" + index.value() + "]";
      byte[] value = bytes(entry.getValue(), field, 0, Integer.MAX_VALUE);
      if (value.length != Pcr.LENGTH) {
        throw new Malformed(field + ": " + value.length + " bytes, a SHA384 PCR is " + Pcr.LENGTH);
      }
      values.put((int) index.value(), Pcr.of(value));
    }
    PcrSet set = PcrSet.of(values);
    for (int index = 0; index <= 2; index++) {
      // The NSM always reports PCR0..15; without 0..2 neither the image nor debug mode can be told.
      if (set.get(index).isEmpty()) {
        throw new Malformed("pcrs: PCR" + index + " is missing");
      }
    }
    return set;
  }

  private static List<byte[]> cabundle(Item item) throws Malformed {
    if (!(item instanceof Cbor.Array array)) {
      throw wrongType("cabundle", item, "an array");
    }
    if (array.items().isEmpty()) {
      throw new Malformed("cabundle: empty, expected the root and the intermediates");
    }
    List<byte[]> certificates = new ArrayList<>();
    for (int i = 0; i < array.items().size(); i++) {
      certificates.add(bytes(array.items().get(i), "cabundle[" + i + "]", 1, MAX_CERTIFICATE));
    }
    return List.copyOf(certificates);
  }

  private static <T> Optional<T> optional(
      Map<String, Item> fields, String name, int min, int max, Function<byte[], T> wrap) throws Malformed {
    Item item = fields.get(name);
    if (item == null || item == Cbor.Simple.NULL) {
      return Optional.empty();
    }
    return Optional.of(wrap.apply(bytes(item, name, min, max)));
  }

  private static Item required(Map<String, Item> fields, String name) throws Malformed {
    Item item = fields.get(name);
    if (item == null) {
      throw new Malformed(name + ": missing");
    }
    return item;
  }

  private static String text(Map<String, Item> fields, String name) throws Malformed {
    Item item = required(fields, name);
    if (!(item instanceof Text text)) {
      throw wrongType(name, item, "a text string");
    }
    return text.value();
  }

  private static byte[] bytes(Item item, String field, int min, int max) throws Malformed {
    if (!(item instanceof Bytes bytes)) {
      throw wrongType(field, item, "a byte string");
    }
    if (bytes.length() < min || bytes.length() > max) {
      throw new Malformed(field + ": " + bytes.length() + " bytes, expected " + min + ".." + max);
    }
    return bytes.value();
  }

  private static Malformed wrongType(String field, Item item, String expected) {
    return new Malformed(field + ": " + item.aKind() + ", expected " + expected);
  }

  private static String describeKey(Item key) {
    return key instanceof Int i ? Long.toString(i.value()) : key.aKind();
  }
}
