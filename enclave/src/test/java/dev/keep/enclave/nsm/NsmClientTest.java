package dev.keep.enclave.nsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NsmClientTest {
  private static final byte[] GET_RANDOM = HexFormat.of().parseHex("6947657452616e646f6d");

  @Test
  void getRandom_joinsRepliesInOrderAndTakesOnlyWhatItNeeds() throws Exception {
    SoftwareNsm nsm = new SoftwareNsm(256);
    byte[] random = new NsmClient(nsm).getRandom(600);
    assertArrayEquals(counting(600), random);
    assertEquals(3, nsm.requests().size()); // 256 + 256 + 88 of the third reply
    for (byte[] request : nsm.requests()) {
      assertArrayEquals(GET_RANDOM, request);
    }
  }

  @Test
  void getRandom_withSmallReplies_keepsAsking() throws Exception {
    SoftwareNsm nsm = new SoftwareNsm(7);
    assertArrayEquals(counting(32), new NsmClient(nsm).getRandom(32));
    assertEquals(5, nsm.requests().size());
  }

  @Test
  void getRandom_zero_makesNoCall() throws Exception {
    SoftwareNsm nsm = new SoftwareNsm(256);
    assertEquals(0, new NsmClient(nsm).getRandom(0).length);
    assertEquals(0, nsm.requests().size());
  }

  @Test
  void getRandom_negative_isAProgrammingError() {
    assertThrows(
        IllegalArgumentException.class, () -> new NsmClient(new SoftwareNsm(1)).getRandom(-1));
  }

  @Test
  void getRandom_wipesEveryReplyAfterCopyingIt() throws Exception {
    SoftwareNsm nsm = new SoftwareNsm(256);
    new NsmClient(nsm).getRandom(300);
    for (byte[] reply : nsm.replies()) {
      assertArrayEquals(new byte[reply.length], reply);
    }
  }

  @Test
  void emptyRandomReply_isRejected() {
    SoftwareNsm nsm =
        new SoftwareNsm(256).thenReply(SoftwareNsm.variant("GetRandom", "random", new byte[0]));
    var e =
        assertThrows(NsmException.MalformedResponse.class, () -> new NsmClient(nsm).getRandom(8));
    assertTrue(e.getMessage().contains("no random bytes"), e.getMessage());
  }

  @Test
  void errorReply_becomesErrorResponseWithItsCode() {
    SoftwareNsm nsm = new SoftwareNsm(256).thenReply(SoftwareNsm.error("InternalError"));
    var e = assertThrows(NsmException.ErrorResponse.class, () -> new NsmClient(nsm).getRandom(8));
    assertEquals(NsmErrorCode.InternalError, e.code());
  }

  @Test
  void malformedReply_isRejected() {
    SoftwareNsm nsm = new SoftwareNsm(256).thenReply(new byte[] {(byte) 0xa1, 0x69});
    assertThrows(NsmException.MalformedResponse.class, () -> new NsmClient(nsm).getRandom(8));
  }

  @Test
  void failureAfterSomeBytes_leavesNoRandomBytesInTheOutput() {
    // The first call fills 4 bytes; the second fails, so those 4 must be zeroed again.
    SoftwareNsm nsm =
        new SoftwareNsm(4)
            .thenReply(SoftwareNsm.variant("GetRandom", "random", new byte[] {9, 9, 9, 9}))
            .thenReply(SoftwareNsm.error("InternalError"));
    byte[] out = new byte[16];
    assertThrows(NsmException.ErrorResponse.class, () -> new NsmClient(nsm).fillRandom(out));
    assertArrayEquals(new byte[16], out);
    for (byte[] reply : nsm.replies()) {
      assertArrayEquals(new byte[reply.length], reply);
    }
  }

  @Test
  void fillRandom_fillsTheCallersArray() throws Exception {
    byte[] out = new byte[10];
    new NsmClient(new SoftwareNsm(256)).fillRandom(out);
    assertArrayEquals(counting(10), out);
  }

  @Test
  void concurrentCallers_eachGetWholeDistinctReplies() throws Exception {
    SoftwareNsm nsm = new SoftwareNsm(16);
    NsmClient client = new NsmClient(nsm);
    List<Future<byte[]>> results = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 32; i++) {
        results.add(pool.submit(() -> client.getRandom(16)));
      }
    }
    // Each caller got one whole reply: 16 consecutive counter values.
    for (Future<byte[]> result : results) {
      byte[] r = result.get();
      for (int i = 1; i < r.length; i++) {
        assertEquals((r[i - 1] & 0xFF) % 255 + 1, r[i] & 0xFF);
      }
    }
    assertEquals(32, nsm.requests().size());
  }

  @Test
  void attestation_sendsTheFieldsAndReturnsTheDocument() throws Exception {
    SoftwareNsm nsm = new SoftwareNsm(256);
    byte[] userData = {1, 2, 3};
    byte[] publicKey = {7, 7};
    byte[] document = new NsmClient(nsm).attestation(userData, null, publicKey);
    assertArrayEquals(SoftwareNsm.document(Arrays.asList(userData, null, publicKey)), document);
    assertArrayEquals(NsmCodec.encodeAttestation(userData, null, publicKey), nsm.requests().get(0));
  }

  @Test
  void attestation_errorReply_isErrorResponse() {
    SoftwareNsm nsm = new SoftwareNsm(256).thenReply(SoftwareNsm.error("InputTooLarge"));
    var e =
        assertThrows(
            NsmException.ErrorResponse.class,
            () -> new NsmClient(nsm).attestation(null, null, null));
    assertEquals(NsmErrorCode.InputTooLarge, e.code());
    assertEquals("the NSM refused Attestation: InputTooLarge", e.getMessage());
  }

  @Test
  void attestation_emptyDocument_isRejected() {
    SoftwareNsm nsm =
        new SoftwareNsm(256).thenReply(SoftwareNsm.variant("Attestation", "document", new byte[0]));
    assertThrows(
        NsmException.MalformedResponse.class,
        () -> new NsmClient(nsm).attestation(null, null, null));
  }

  @Test
  void attestation_randomReply_isRejected() {
    SoftwareNsm nsm =
        new SoftwareNsm(256).thenReply(SoftwareNsm.variant("GetRandom", "random", new byte[] {1}));
    assertThrows(
        NsmException.MalformedResponse.class,
        () -> new NsmClient(nsm).attestation(null, null, null));
  }

  /** What {@link SoftwareNsm} hands out from a fresh start: 1, 2, ..., 255, 1, 2, ... */
  static byte[] counting(int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (i % 255 + 1);
    }
    return out;
  }
}
