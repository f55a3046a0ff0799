package dev.keep.emulators.kms;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The condition-key values of one request, as a key policy's conditions see them: the verified
 * attestation document's measurements (only when the request has a Recipient) and the request's
 * encryption context.
 */
final class RequestContext {
  /** A request with no Recipient and no encryption context, e.g. DescribeKey. */
  static final RequestContext EMPTY = new RequestContext(Map.of(), false);

  private final Map<String, String> values;
  private final boolean hasRecipient;

  private RequestContext(Map<String, String> values, boolean hasRecipient) {
    this.values = Map.copyOf(values);
    this.hasRecipient = hasRecipient;
  }

  static RequestContext of(Optional<AttestedRecipient> recipient, EncryptionContext context) {
    Map<String, String> values = new HashMap<>();
    recipient.ifPresent(
        attested -> {
          // ImageSha384 "corresponds to PCR0 in the attestation document"
          // (conditions-nitro-enclave).
          attested
              .pcr(0)
              .ifPresent(
                  pcr0 -> values.put(ConditionKeys.normalize(ConditionKeys.IMAGE_SHA384), pcr0));
          for (int index = 0; index <= ConditionKeys.MAX_PCR; index++) {
            int i = index;
            attested
                .pcr(i)
                .ifPresent(
                    pcr -> values.put(ConditionKeys.normalize(ConditionKeys.pcrKey(i)), pcr));
          }
        });
    context
        .pairs()
        .forEach(
            (key, value) ->
                values.put(
                    ConditionKeys.normalize(ConditionKeys.ENCRYPTION_CONTEXT_PREFIX + key), value));
    return new RequestContext(values, recipient.isPresent());
  }

  /** The value of {@code key} (any case), absent when the request does not have it. */
  Optional<String> value(String key) {
    return Optional.ofNullable(values.get(ConditionKeys.normalize(key)));
  }

  /** Why {@code key} has no value here, for an error message. */
  String whyAbsent(String key, ConditionKeys.Kind kind) {
    return switch (kind) {
      case ATTESTATION ->
          hasRecipient
              ? key + " is absent (the attestation document has no such PCR)"
              : key + " is absent (the request has no Recipient attestation document)";
      case ENCRYPTION_CONTEXT ->
          key
              + " is absent (the request's encryption context has no \""
              + key.substring(ConditionKeys.ENCRYPTION_CONTEXT_PREFIX.length())
              + "\")";
    };
  }
}
