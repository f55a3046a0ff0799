package dev.keep.schema.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.schema.encoding.Hex;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The receipt's canonical form, link and signing hash are pinned. The expected values were made
 * with Python's standard library, apart from Keep's code: {@code json.dumps(r, sort_keys=True,
 * separators=(',', ':'), ensure_ascii=False)} (which is RFC 8785 for ASCII strings and integers),
 * {@code hashlib.sha256}, and BIP-340's tagged hash written out.
 */
class ReceiptTest {
  private static final Receipt RECEIPT = new Receipt(1, 2, "11".repeat(32), "22".repeat(32), "2026-12-02T12:00:00Z",
      "job-1", "t-1", "k-1", "message", "33".repeat(32), "REJECTED", "MaxAmountSats",
      "max_amount: 1,000,001 sats > 1,000,000", 3L, "44".repeat(32), null, "55".repeat(32));

  @Test
  void theCanonicalFormIsJcsOfEveryMember_nullsIncluded() {
    assertEquals("{\"auditKey\":\"" + "55".repeat(32) + "\",\"bootId\":\"" + "22".repeat(32) + "\",\"decision\":\"REJECTED\","
        + "\"jobId\":\"job-1\",\"keyId\":\"k-1\",\"kind\":\"message\",\"policyHash\":\"" + "44".repeat(32) + "\","
        + "\"policyVersion\":3,\"prev\":\"" + "11".repeat(32) + "\",\"reason\":\"max_amount: 1,000,001 sats > 1,000,000\","
        + "\"requestDigest\":\"" + "33".repeat(32) + "\",\"resultDigest\":null,\"rule\":\"MaxAmountSats\",\"seq\":2,"
        + "\"tenant\":\"t-1\",\"time\":\"2026-12-02T12:00:00Z\",\"v\":1}",
        new String(RECEIPT.canonical(), StandardCharsets.UTF_8));
  }

  @Test
  void theLinkAndTheSigningHashAreAsComputedApart() {
    assertEquals("5c6e50ac2f4455bbcdfaccdcfa5ca4cf38248f54a1540edf53c03779948fd2cc", RECEIPT.link());
    assertEquals("666124acfd76560106d0fb1bf48de9ba695fbdcd354fa1d65f7c923b97e9eb43", Hex.encode(RECEIPT.signingHash()));
  }

  @Test
  void exportLinesArePinned_andReadBack() throws Exception {
    ExportLine receipt = new ExportLine.ReceiptLine(RECEIPT, "77".repeat(64));
    String json = dev.keep.schema.encoding.Json.write(receipt);
    assertEquals("{\"type\":\"receipt\",\"receipt\":{\"v\":1,\"seq\":2,\"prev\":\"" + "11".repeat(32) + "\",\"bootId\":\""
        + "22".repeat(32) + "\",\"time\":\"2026-12-02T12:00:00Z\",\"jobId\":\"job-1\",\"tenant\":\"t-1\",\"keyId\":\"k-1\","
        + "\"kind\":\"message\",\"requestDigest\":\"" + "33".repeat(32) + "\",\"decision\":\"REJECTED\",\"rule\":\"MaxAmountSats\","
        + "\"reason\":\"max_amount: 1,000,001 sats > 1,000,000\",\"policyVersion\":3,\"policyHash\":\"" + "44".repeat(32)
        + "\",\"resultDigest\":null,\"auditKey\":\"" + "55".repeat(32) + "\"},\"signature\":\"" + "77".repeat(64) + "\"}", json);
    assertEquals(receipt, dev.keep.schema.encoding.Json.MAPPER.readValue(json, ExportLine.class));
    ExportLine checkpoint = new ExportLine.CheckpointLine(new Checkpoint("22".repeat(32), "t-1", 2, RECEIPT.link(),
        "2026-12-02T12:05:00Z", "55".repeat(32)), "88".repeat(64));
    String cp = dev.keep.schema.encoding.Json.write(checkpoint);
    assertEquals("{\"type\":\"checkpoint\",\"checkpoint\":{\"bootId\":\"" + "22".repeat(32) + "\",\"tenant\":\"t-1\",\"seq\":2,\"head\":\""
        + RECEIPT.link() + "\",\"time\":\"2026-12-02T12:05:00Z\",\"auditKey\":\"" + "55".repeat(32) + "\"},\"signature\":\""
        + "88".repeat(64) + "\"}", cp);
    assertEquals(checkpoint, dev.keep.schema.encoding.Json.MAPPER.readValue(cp, ExportLine.class));
  }

  @Test
  void aReceiptThatCannotBeOneIsRefusedNamingTheField() {
    assertEquals("seq: starts at 1", assertThrows(IllegalArgumentException.class, () -> new Receipt(1, 0,
        Receipt.GENESIS, "22".repeat(32), "t", "j", "t", "k", "message", "33".repeat(32), "SIGNED", null, null, null,
        null, null, "55".repeat(32))).getMessage());
    assertEquals("prev: must be 64 lower-case hex digits", assertThrows(IllegalArgumentException.class, () -> new Receipt(1,
        1, "AB".repeat(32), "22".repeat(32), "t", "j", "t", "k", "message", "33".repeat(32), "SIGNED", null, null, null,
        null, null, "55".repeat(32))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Receipt(1, 1, Receipt.GENESIS, "22".repeat(32), "t", "j",
        "t", "k", "message", "33".repeat(32), "MAYBE", null, null, null, null, null, "55".repeat(32)));
  }
}
