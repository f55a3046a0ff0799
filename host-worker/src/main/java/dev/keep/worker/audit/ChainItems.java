package dev.keep.worker.audit;

import static dev.keep.schema.tables.ReceiptAttributes.AUDIT_KEY;
import static dev.keep.schema.tables.ReceiptAttributes.BOOT_ID;
import static dev.keep.schema.tables.ReceiptAttributes.CHAIN;
import static dev.keep.schema.tables.ReceiptAttributes.DOCUMENT;
import static dev.keep.schema.tables.ReceiptAttributes.JOB_ID;
import static dev.keep.schema.tables.ReceiptAttributes.MODE;
import static dev.keep.schema.tables.ReceiptAttributes.ORDER;
import static dev.keep.schema.tables.ReceiptAttributes.RECORDED_AT;
import static dev.keep.schema.tables.ReceiptAttributes.SEQ;
import static dev.keep.schema.tables.ReceiptAttributes.SIGNED;
import static dev.keep.schema.tables.ReceiptAttributes.TENANT_ID;
import static dev.keep.schema.tables.ReceiptAttributes.WITH_JOB;

import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.tables.ReceiptAttributes;
import dev.keep.schema.tables.SortableInstant;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The items of the {@code receipts}, {@code checkpoints} and {@code attestations} tables. What the
 * enclave signed is stored as it came ({@code signed}, JSON); the other attributes are keys and
 * indexes derived from it, which a verifier never needs to trust.
 */
public final class ChainItems {
  private ChainItems() {}

  /** {@code withJob}: written in the transaction that ended its job, or on its own. */
  public static Map<String, AttributeValue> receipt(SignedReceipt signed, boolean withJob) {
    Receipt r = signed.receipt();
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(CHAIN, s(ReceiptAttributes.chain(r.tenant(), r.bootId())));
    item.put(SEQ, AttributeValue.fromN(Long.toString(r.seq())));
    item.put(TENANT_ID, s(r.tenant()));
    item.put(BOOT_ID, s(r.bootId()));
    item.put(JOB_ID, s(r.jobId()));
    item.put(ORDER, s(ReceiptAttributes.order(SortableInstant.of(Instant.parse(r.time())), r.bootId(), r.seq())));
    item.put(SIGNED, s(Json.write(signed)));
    item.put(WITH_JOB, AttributeValue.fromBool(withJob));
    return item;
  }

  public static Map<String, AttributeValue> checkpoint(Checkpoint.Signed signed) {
    Checkpoint c = signed.checkpoint();
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(CHAIN, s(ReceiptAttributes.chain(c.tenant(), c.bootId())));
    item.put(SEQ, AttributeValue.fromN(Long.toString(c.seq())));
    item.put(TENANT_ID, s(c.tenant()));
    item.put(BOOT_ID, s(c.bootId()));
    item.put(RECORDED_AT, s(SortableInstant.of(Instant.parse(c.time()))));
    item.put(SIGNED, s(Json.write(signed)));
    return item;
  }

  public static Map<String, AttributeValue> attestation(String bootId, EnclaveResponse.Attestation document, Instant now) {
    return Map.of(
        BOOT_ID, s(bootId),
        DOCUMENT, s(document.document()),
        AUDIT_KEY, s(document.auditKey()),
        MODE, s(document.mode()),
        RECORDED_AT, s(SortableInstant.of(now)));
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }
}
