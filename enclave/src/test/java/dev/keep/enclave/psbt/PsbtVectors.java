package dev.keep.enclave.psbt;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The BIP-174, BIP-370 and BIP-371 test vectors, read from {@code vectors/*.json}: groups of cases,
 * each with a description, hex and base64. Base64 is taken as authoritative (the BIP-371 hex had
 * stray characters upstream).
 */
final class PsbtVectors {
  static final String BIP174 = "/vectors/bip174-psbt-vectors.json";
  static final String BIP370 = "/vectors/bip370-psbtv2-vectors.json";
  static final String BIP371 = "/vectors/bip371-taproot-psbt-vectors.json";

  record Case(String description, String hex, String base64) {
    byte[] bytes() {
      return Base64.getDecoder().decode(base64);
    }

    @Override
    public String toString() {
      return description;
    }
  }

  private PsbtVectors() {}

  static Map<String, List<Case>> read(String resource) {
    try (InputStream in = PsbtVectors.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      ObjectMapper json =
          new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
      return json.readValue(
          in,
          json.getTypeFactory()
              .constructMapType(
                  Map.class,
                  json.getTypeFactory().constructType(String.class),
                  json.getTypeFactory().constructCollectionType(List.class, Case.class)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every case that must parse: the valid groups and, for BIP-370, the lock time groups. */
  static List<Case> allValid() {
    List<Case> out = new java.util.ArrayList<>();
    for (String resource : List.of(BIP174, BIP370, BIP371)) {
      read(resource)
          .forEach(
              (group, cases) -> {
                if (!group.equals("invalid")) {
                  out.addAll(cases);
                }
              });
    }
    return out;
  }
}
