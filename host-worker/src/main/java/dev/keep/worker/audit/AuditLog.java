package dev.keep.worker.audit;

import static dev.keep.schema.tables.ReceiptAttributes.CHAIN;
import static dev.keep.schema.tables.ReceiptAttributes.SEQ;

import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.Hashes;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.tables.ReceiptAttributes;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The worker's side of the audit chain (issue 19). The enclave numbers, links and signs receipts;
 * the worker's job is to lose none of them:
 *
 * <ul>
 *   <li>a job's receipt is written in the transaction that ends the job ({@link #receiptPut});
 *   <li>a receipt whose job was not ended with it (the key's state moved and the job was decided
 *       again, a lease was lost, DynamoDB refused the write) is written on its own ({@link
 *       #writeUnended}), so the chain shows every answer the enclave released;
 *   <li>each boot's attestation document is archived once, before the first of its receipts is
 *       stored ({@link #sawBoot});
 *   <li>checkpoints are asked for ({@link #checkpoint}), every due one written to the {@code
 *       checkpoints} table and to every {@link CheckpointArchive};
 *   <li>a while after each checkpoint ({@code repairAfter}, so jobs decided before it have been
 *       written), the chain's receipts up to it are counted in the table, and any missing (a worker
 *       killed between the enclave's answer and its write) is asked for again from the enclave,
 *       which remembers its recent ones ({@link #repairDue}).
 * </ul>
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  private final DynamoDbClient dynamo;
  private final EnclaveClient enclave;
  private final AuditTables tables;
  private final List<CheckpointArchive> archives;
  private final Clock clock;
  private final java.time.Duration repairAfter;
  private final java.util.Queue<Repair> repairs = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Set<String> archivedBoots = ConcurrentHashMap.newKeySet();
  /** The seq of each chain's last checkpoint this worker wrote, where gap repair starts from. */
  private final Map<String, Long> checkpointed = new ConcurrentHashMap<>();
  private final AtomicLong unended = new AtomicLong();
  private final AtomicLong repaired = new AtomicLong();
  private final AtomicLong checkpoints = new AtomicLong();

  /** A chain's seqs {@code from..to} to count in the table, from {@code due} on. */
  private record Repair(String tenant, String chain, long from, long to, java.time.Instant due) {}

  public AuditLog(DynamoDbClient dynamo, EnclaveClient enclave, AuditTables tables, List<CheckpointArchive> archives,
      java.time.Duration repairAfter, Clock clock) {
    this.dynamo = dynamo;
    this.repairAfter = repairAfter;
    this.enclave = enclave;
    this.tables = tables;
    this.archives = List.copyOf(archives);
    this.clock = clock;
  }

  /** Thrown when the chain cannot be kept now; the job it concerns is retried. */
  public static final class AuditUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    AuditUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The receipt's item, for the transaction that ends its job. */
  public Put receiptPut(SignedReceipt receipt) {
    // No condition: the same receipt may already be there, written on its own when an earlier write
    // of its job failed; the enclave signs one content per (chain, seq), so this only marks it.
    return Put.builder().tableName(tables.receipts()).item(ChainItems.receipt(receipt, true)).build();
  }

  /**
   * Archives the attestation document of {@code bootId} unless this worker already did: asked of the
   * enclave, checked to hash to {@code bootId}, and written only if absent.
   */
  public void sawBoot(String bootId) throws AuditUnavailable {
    if (archivedBoots.contains(bootId)) {
      return;
    }
    synchronized (archivedBoots) {
      if (archivedBoots.contains(bootId)) {
        return;
      }
      EnclaveResponse answer;
      try {
        answer = enclave.call(new EnclaveRequest.AuditBoot());
      } catch (EnclaveUnavailableException e) {
        throw new AuditUnavailable("the enclave's boot document: " + e.getMessage(), e);
      }
      if (!(answer instanceof EnclaveResponse.Attestation document)) {
        throw new AuditUnavailable("the enclave answered audit_boot with " + answer, null);
      }
      String actual = Hex.encode(Hashes.sha256(java.util.Base64.getDecoder().decode(document.document())));
      if (!actual.equals(bootId)) {
        // The enclave restarted between the receipt and this question: its receipt's boot is gone,
        // and so is the document. Archive the one it has; the receipt's job is decided again.
        archive(actual, document);
        throw new AuditUnavailable("the enclave restarted: receipt of boot " + bootId.substring(0, 12)
            + "…, enclave now at boot " + actual.substring(0, 12) + "…", null);
      }
      archive(bootId, document);
    }
  }

  private void archive(String bootId, EnclaveResponse.Attestation document) {
    try {
      dynamo.putItem(b -> b.tableName(tables.attestations()).item(ChainItems.attestation(bootId, document, clock.instant()))
          .conditionExpression("attribute_not_exists(#b)").expressionAttributeNames(Map.of("#b", ReceiptAttributes.BOOT_ID)));
    } catch (ConditionalCheckFailedException e) {
      // Another worker of the same enclave archived it first.
    }
    archivedBoots.add(bootId);
    LOG.info("archived the attestation document of enclave boot {}", bootId);
  }

  /**
   * Writes receipts whose jobs were not ended with them, each only if its (chain, seq) has none:
   * the enclave released those answers, and the chain must say so. Failures are logged, not thrown:
   * the checkpoint's gap repair asks the enclave for them again.
   */
  public void writeUnended(List<SignedReceipt> receipts) {
    for (SignedReceipt r : receipts) {
      try {
        dynamo.putItem(b -> b.tableName(tables.receipts()).item(ChainItems.receipt(r, false))
            .conditionExpression("attribute_not_exists(#c)").expressionAttributeNames(Map.of("#c", CHAIN)));
        unended.incrementAndGet();
      } catch (ConditionalCheckFailedException e) {
        // Already there.
      } catch (RuntimeException e) {
        LOG.warn("receipt {} of job {}: not written ({}); the next checkpoint's repair asks for it again",
            r.receipt().seq(), r.receipt().jobId(), e.toString());
      }
    }
  }

  /**
   * Asks the enclave for its due checkpoints (every chain's, with {@code all}) and writes each to the
   * table and the archives, then schedules the chain's gap repair up to it. Returns how many were
   * written.
   */
  public int checkpoint(boolean all) throws AuditUnavailable {
    EnclaveResponse answer;
    try {
      answer = enclave.call(new EnclaveRequest.AuditCheckpoints(all));
    } catch (EnclaveUnavailableException e) {
      throw new AuditUnavailable("checkpoints: " + e.getMessage(), e);
    }
    if (!(answer instanceof EnclaveResponse.Checkpoints due)) {
      throw new AuditUnavailable("the enclave answered audit_checkpoints with " + answer, null);
    }
    int written = 0;
    for (Checkpoint.Signed signed : due.checkpoints()) {
      Checkpoint c = signed.checkpoint();
      sawBoot(c.bootId());
      String chain = ReceiptAttributes.chain(c.tenant(), c.bootId());
      long from = checkpointed.computeIfAbsent(chain, this::lastCheckpointed) + 1;
      dynamo.putItem(b -> b.tableName(tables.checkpoints()).item(ChainItems.checkpoint(signed)));
      for (CheckpointArchive archive : archives) {
        try {
          archive.archive(signed);
        } catch (IOException | RuntimeException e) {
          // The table has it; an archive that failed is retried with the next checkpoint's write.
          LOG.error("checkpoint {} of chain {}: archiving to {} failed: {}", c.seq(), chain, archive.describe(),
              e.toString());
        }
      }
      checkpointed.put(chain, c.seq());
      repairs.add(new Repair(c.tenant(), chain, from, c.seq(), clock.instant().plus(repairAfter)));
      checkpoints.incrementAndGet();
      written++;
    }
    return written;
  }

  /**
   * Runs the gap repairs whose time has come, or all of them with {@code now} (a worker stopping,
   * once its jobs in flight are written).
   */
  public void repairDue(boolean now) throws AuditUnavailable {
    java.time.Instant at = clock.instant();
    for (int n = repairs.size(); n > 0; n--) {
      Repair r = repairs.poll();
      if (r == null) {
        return;
      }
      if (!now && r.due().isAfter(at)) {
        repairs.add(r);
        continue;
      }
      try {
        repair(r.tenant(), r.chain(), r.from(), r.to());
      } catch (AuditUnavailable | RuntimeException e) {
        repairs.add(r);
        throw e;
      }
    }
  }

  /** The seq of the chain's latest stored checkpoint, 0 for none. */
  private long lastCheckpointed(String chain) {
    QueryResponse last = dynamo.query(b -> b.tableName(tables.checkpoints()).keyConditionExpression("#c = :c")
        .expressionAttributeNames(Map.of("#c", CHAIN)).expressionAttributeValues(Map.of(":c", AttributeValue.fromS(chain)))
        .scanIndexForward(false).limit(1).consistentRead(true));
    return last.items().isEmpty() ? 0 : Long.parseLong(last.items().get(0).get(SEQ).n());
  }

  /** Finds the seqs {@code from..to} the table lacks, and writes those the enclave still holds. */
  private void repair(String tenant, String chain, long from, long to) throws AuditUnavailable {
    if (from > to) {
      return;
    }
    BitSet present = new BitSet();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> exclusive = start;
      QueryResponse page = dynamo.query(b -> b.tableName(tables.receipts())
          .keyConditionExpression("#c = :c AND #s BETWEEN :from AND :to")
          .expressionAttributeNames(Map.of("#c", CHAIN, "#s", SEQ))
          .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(chain),
              ":from", AttributeValue.fromN(Long.toString(from)), ":to", AttributeValue.fromN(Long.toString(to))))
          .projectionExpression("#s").consistentRead(true).exclusiveStartKey(exclusive));
      for (Map<String, AttributeValue> item : page.items()) {
        present.set((int) (Long.parseLong(item.get(SEQ).n()) - from));
      }
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    int span = (int) (to - from + 1);
    if (present.cardinality() == span) {
      return;
    }
    List<SignedReceipt> found = new ArrayList<>();
    for (long lo = from; lo <= to; lo += EnclaveRequest.AuditReceipts.MAX_RECEIPTS) {
      long hi = Math.min(to, lo + EnclaveRequest.AuditReceipts.MAX_RECEIPTS - 1);
      if (present.get((int) (lo - from), (int) (hi - from + 1)).cardinality() == hi - lo + 1) {
        continue;
      }
      EnclaveResponse answer;
      try {
        answer = enclave.call(new EnclaveRequest.AuditReceipts(tenant, lo, hi));
      } catch (EnclaveUnavailableException e) {
        throw new AuditUnavailable("receipts " + lo + ".." + hi + ": " + e.getMessage(), e);
      }
      if (answer instanceof EnclaveResponse.Receipts receipts) {
        receipts.receipts().stream().filter(r -> !present.get((int) (r.receipt().seq() - from))).forEach(found::add);
      }
    }
    writeUnended(found);
    repaired.addAndGet(found.size());
    long missing = span - present.cardinality() - found.size();
    if (missing > 0) {
      LOG.error("chain {}: {} receipt(s) between seq {} and {} are lost (the enclave no longer holds them); the "
          + "verifier will name the gap", chain, missing, from, to);
    } else {
      LOG.warn("chain {}: wrote {} receipt(s) missing between seq {} and {}, as the enclave re-sent them", chain,
          found.size(), from, to);
    }
  }

  /** Receipts written on their own, because their job was not ended with them. */
  public long unendedReceipts() {
    return unended.get();
  }

  /** Receipts a checkpoint's repair found missing and the enclave re-sent. */
  public long repairedReceipts() {
    return repaired.get();
  }

  public long checkpointsWritten() {
    return checkpoints.get();
  }
}
