package dev.keep.schema.tables;

/**
 * Attribute names of the audit chain's tables (issue 19): {@code receipts}, {@code checkpoints} and
 * {@code attestations}, and what the {@code audit} table adds for a job's receipt.
 */
public final class ReceiptAttributes {
  /** A chain is one tenant's receipts of one boot: {@code tenant + "/" + bootId} ({@link #chain}). */
  public static final String CHAIN = "chain";
  public static final String SEQ = "seq";
  public static final String TENANT_ID = "tenantId";
  public static final String BOOT_ID = "bootId";
  public static final String JOB_ID = "jobId";
  /**
   * The export's order: the receipt's time as a {@link SortableInstant}, then its boot and seq
   * (20 digits), so a chain reads in seq order and ties between chains are broken alike every time.
   */
  public static final String ORDER = "order";
  /** The signed receipt or checkpoint as JSON ({@code SignedReceipt}, {@code Checkpoint.Signed}). */
  public static final String SIGNED = "signed";
  /** On a receipt: whether it was written with its job's end (true) or on its own (false). */
  public static final String WITH_JOB = "withJob";
  public static final String RECORDED_AT = "recordedAt";

  /** {@code attestations}: the document (base64 COSE_Sign1), the audit key (hex), the mode. */
  public static final String DOCUMENT = "document";
  public static final String AUDIT_KEY = "auditKey";
  public static final String MODE = "mode";

  /** {@code audit}: the job's receipt ({@code SignedReceipt} JSON) and where it sits in its chain. */
  public static final String RECEIPT = "receipt";

  private ReceiptAttributes() {}

  public static String chain(String tenant, String bootId) {
    return tenant + "/" + bootId;
  }

  public static String order(String sortableTime, String bootId, long seq) {
    return sortableTime + "/" + bootId + "/" + String.format("%020d", seq);
  }
}
