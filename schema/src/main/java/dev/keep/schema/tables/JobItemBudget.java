package dev.keep.schema.tables;

import java.util.Optional;

/**
 * What one job may take of its {@code jobs} item. DynamoDB holds at most 400 KB per item, counting
 * every attribute's name and value in UTF-8 bytes ("Service, account, and table quotas in Amazon
 * DynamoDB", Item size). A job's request is stored when it is accepted and its result when it ends,
 * in the same item, so a request is accepted only when its result will fit beside it: otherwise
 * the enclave would sign, and the signature would be thrown away when it cannot be stored.
 *
 * <p>For message, digest and Nostr event jobs the largest result follows from the request, and the
 * API refuses (413) a request whose worst case does not fit. A PSBT's signed answer depends on
 * what the PSBT holds; the worker gives the enclave {@link #resultBudget} and the enclave refuses,
 * before it signs or charges, a PSBT whose answer could be larger.
 */
public final class JobItemBudget {
  /** DynamoDB's item size limit: 400 KB. */
  public static final long ITEM_LIMIT_BYTES = 400L * 1024;

  /**
   * Everything but the request and the result: ids, kind, status, times, lease, attempts, the
   * error code and message (stored messages are cut to {@link #MAX_ERROR_MESSAGE_CHARS}), and the
   * attribute names.
   */
  public static final long RESERVED_BYTES = 16L * 1024;

  /** A stored error message is cut to this many characters (at most 3 bytes each in UTF-8). */
  public static final int MAX_ERROR_MESSAGE_CHARS = 2048;

  /** The largest result of a message or digest job: a signature, a key, a digest, a path. */
  public static final long SIGNATURE_RESULT_BYTES = 4L * 1024;

  /** The largest dry-run result: a decision with one trace line per rule (at most 256 rules). */
  public static final long EVALUATION_RESULT_BYTES = 128L * 1024;

  private JobItemBudget() {}

  /**
   * The most bytes a result of {@code kind} can take, given the request as stored. For a PSBT this
   * is the least it can take (the signed PSBT is at least the unsigned one), since the enclave
   * enforces the rest.
   */
  public static long worstCaseResultBytes(String kind, long requestBytes) {
    return switch (kind) {
      case "message", "digest" -> SIGNATURE_RESULT_BYTES;
      // The signed event is the request's event with an id and a signature added.
      case "nostr_event", "psbt" -> requestBytes + SIGNATURE_RESULT_BYTES;
      case "policy_evaluate" -> EVALUATION_RESULT_BYTES;
      default -> throw new IllegalArgumentException("kind: no size budget for '" + kind + "'");
    };
  }

  /**
   * Why a request of {@code kind} and {@code requestBytes} (as stored) cannot be accepted, or empty
   * when its result fits beside it.
   */
  public static Optional<String> refusal(String kind, long requestBytes) {
    long needed = RESERVED_BYTES + requestBytes + worstCaseResultBytes(kind, requestBytes);
    if (needed <= ITEM_LIMIT_BYTES) {
      return Optional.empty();
    }
    return Optional.of("a " + kind + " job of " + requestBytes + " bytes could need " + needed
        + " bytes with its result, over the " + ITEM_LIMIT_BYTES + " bytes one job may take (a DynamoDB item);"
        + (kind.equals("psbt") ? " sign large PSBTs with keep enclave sign-psbt" : " send less"));
  }

  /** How many bytes the result of a job whose stored request is {@code requestBytes} may take. */
  public static long resultBudget(long requestBytes) {
    return Math.max(0, ITEM_LIMIT_BYTES - RESERVED_BYTES - requestBytes);
  }
}
