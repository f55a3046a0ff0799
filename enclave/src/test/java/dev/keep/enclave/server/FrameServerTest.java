package dev.keep.enclave.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.EnclaveMain;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.transport.Connection;
import dev.keep.schema.transport.TcpTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The enclave's frame server over real loopback TCP. */
class FrameServerTest {
  private final FrameCodec codec = new FrameCodec();
  private FrameServer server;
  private int port;

  @BeforeEach
  void start() throws IOException {
    TcpTransport.TcpListener listener = TcpTransport.listen(0);
    port = listener.port();
    server = EnclaveMain.startLocal(listener);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private EnclaveResponse call(Connection c, String id, EnclaveRequest request) throws Exception {
    codec.write(c.output(), ProtocolCodec.encode(RequestFrame.of(id, request)));
    ResponseFrame frame = ProtocolCodec.decodeResponse(codec.read(c.input()).orElseThrow());
    assertEquals(id, frame.requestId());
    return frame.body();
  }

  @Test
  void generatesSignsAndAnswersARepeatedJobAlike() throws Exception {
    try (Connection c = TcpTransport.connect(port)) {
      var key = assertInstanceOf(EnclaveResponse.KeyInfo.class, call(c, "1", new EnclaveRequest.GenerateKey("k1", EnclaveRequest.KeySpec.DEFAULT, TestPolicies.ALLOW_ALL)));
      var first = assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
          call(c, "2", new EnclaveRequest.SignMessage("job-1", "k1", "68656c6c6f", "bip340", null)));
      var again = assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
          call(c, "3", new EnclaveRequest.SignMessage("job-1", "k1", "68656c6c6f", "bip340", null)));
      assertEquals(key.xOnly(), first.publicKey());
      assertEquals(first.signature(), again.signature(), "a redelivered job is not signed twice");
      var other = assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
          call(c, "4", new EnclaveRequest.SignMessage("job-2", "k1", "68656c6c6f", "bip340", null)));
      assertTrue(!other.signature().equals(first.signature()), "fresh aux randomness per job");
    }
  }

  @Test
  void typedErrors() throws Exception {
    try (Connection c = TcpTransport.connect(port)) {
      var missing = assertInstanceOf(EnclaveResponse.Error.class,
          call(c, "1", new EnclaveRequest.SignMessage("job-1", "nope", "00", "bip340", null)));
      assertEquals(ErrorCode.KEY_NOT_FOUND, missing.code());
      call(c, "2", new EnclaveRequest.GenerateKey("k1", EnclaveRequest.KeySpec.DEFAULT, TestPolicies.ALLOW_ALL));
      var exists = assertInstanceOf(EnclaveResponse.Error.class, call(c, "3", new EnclaveRequest.GenerateKey("k1", EnclaveRequest.KeySpec.DEFAULT, TestPolicies.ALLOW_ALL)));
      assertEquals(ErrorCode.KEY_EXISTS, exists.code());
      assertTrue(exists.message().startsWith("keyId:"), exists.message());
      call(c, "4", new EnclaveRequest.SignMessage("job-9", "k1", "00", "bip340", null));
      var reused = assertInstanceOf(EnclaveResponse.Error.class,
          call(c, "5", new EnclaveRequest.SignMessage("job-9", "k1", "01", "bip340", null)));
      assertEquals(ErrorCode.INVALID_REQUEST, reused.code());
      var health = assertInstanceOf(EnclaveResponse.HealthStatus.class, call(c, "6", new EnclaveRequest.Health()));
      assertEquals(1, health.keys());
      assertEquals("local", health.mode());
    }
  }

  @Test
  void manyConcurrentRequestsOnOneConnectionAreMatchedById() throws Exception {
    try (Connection c = TcpTransport.connect(port)) {
      call(c, "gen", new EnclaveRequest.GenerateKey("k1", EnclaveRequest.KeySpec.DEFAULT, TestPolicies.ALLOW_ALL));
      int n = 200;
      for (int i = 0; i < n; i++) {
        codec.write(c.output(), ProtocolCodec.encode(RequestFrame.of("r" + i,
            new EnclaveRequest.SignMessage("job-" + i, "k1", String.format("%04x", i), "bip340", null))));
      }
      Map<String, EnclaveResponse> answers = new HashMap<>();
      for (int i = 0; i < n; i++) {
        ResponseFrame frame = ProtocolCodec.decodeResponse(codec.read(c.input()).orElseThrow());
        answers.put(frame.requestId(), frame.body());
      }
      for (int i = 0; i < n; i++) {
        var signed = assertInstanceOf(EnclaveResponse.SchnorrSigned.class, answers.get("r" + i));
        assertEquals("job-" + i, signed.jobId());
      }
    }
  }

  @Test
  void oversizedFrameIsRefusedAndOnlyThatConnectionCloses() throws Exception {
    try (Connection bad = TcpTransport.connect(port); Connection good = TcpTransport.connect(port)) {
      bad.output().write(new byte[] {0x7f, 0, 0, 0}); // announces 2 GiB
      bad.output().flush();
      ResponseFrame refusal = ProtocolCodec.decodeResponse(codec.read(bad.input()).orElseThrow());
      var error = assertInstanceOf(EnclaveResponse.Error.class, refusal.body());
      assertEquals(ErrorCode.INVALID_REQUEST, error.code());
      assertTrue(error.message().contains("exceeds the maximum"), error.message());
      assertTrue(codec.read(bad.input()).isEmpty(), "the server closed the bad connection");
      assertInstanceOf(EnclaveResponse.HealthStatus.class, call(good, "1", new EnclaveRequest.Health()));
    }
    try (Connection after = TcpTransport.connect(port)) {
      assertInstanceOf(EnclaveResponse.HealthStatus.class, call(after, "1", new EnclaveRequest.Health()));
    }
  }

  @Test
  void unparseableFrameGetsInvalidRequestAndClose() throws Exception {
    try (Connection c = TcpTransport.connect(port)) {
      codec.write(c.output(), "{\"v\":1,\"id\":\"7\",\"body\":{\"type\":\"nope\"}}".getBytes(StandardCharsets.UTF_8));
      var error = assertInstanceOf(EnclaveResponse.Error.class,
          ProtocolCodec.decodeResponse(codec.read(c.input()).orElseThrow()).body());
      assertEquals(ErrorCode.INVALID_REQUEST, error.code());
      assertTrue(codec.read(c.input()).isEmpty());
    }
  }

  /**
   * Issue #14: an answer over the frame limit was dropped, and the caller waited out its deadline
   * and called the enclave unavailable. Now it gets RESULT_TOO_LARGE at once, on the same connection.
   */
  @Test
  void anAnswerOverTheFrameLimit_becomesResultTooLarge_atOnce() throws Exception {
    TcpTransport.TcpListener listener = TcpTransport.listen(0);
    EnclaveService service = new EnclaveService(dev.keep.enclave.keys.KeyStore.inMemory(),
        new dev.keep.enclave.signing.Signer(new dev.keep.enclave.signing.LibSecp256k1Engine(), new java.security.SecureRandom()),
        EnclaveMode.LOCAL);
    try (FrameServer small = new FrameServer(listener, service, new FrameCodec(8 * 1024)).start();
        Connection c = TcpTransport.connect(listener.port())) {
      for (int i = 0; i < 40; i++) {
        call(c, "g" + i, new EnclaveRequest.GenerateKey("key-" + i, EnclaveRequest.KeySpec.DEFAULT));
      }
      EnclaveResponse answer = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
          () -> call(c, "list", new EnclaveRequest.ListKeys()));
      var error = assertInstanceOf(EnclaveResponse.Error.class, answer);
      assertEquals(ErrorCode.RESULT_TOO_LARGE, error.code());
      assertTrue(error.message().endsWith("bytes, over the 8192-byte frame limit"), error.message());
      // The connection is still in step: the next request is answered.
      assertInstanceOf(EnclaveResponse.HealthStatus.class, call(c, "h", new EnclaveRequest.Health()));
    }
  }
}
