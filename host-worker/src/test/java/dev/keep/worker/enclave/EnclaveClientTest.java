package dev.keep.worker.enclave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.transport.Connection;
import dev.keep.schema.transport.TcpTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The client against a peer that speaks the real frame codec over loopback TCP and answers in
 * reverse order, so matching by request id is what makes the answers land right.
 */
class EnclaveClientTest {

  /** Answers every health request with a HealthStatus whose key count echoes the request id. */
  private static TcpTransport.TcpListener reversingPeer(int batch, AtomicInteger connections) throws IOException {
    TcpTransport.TcpListener listener = TcpTransport.listen(0);
    Thread.ofVirtual().start(() -> {
      FrameCodec codec = new FrameCodec();
      while (true) {
        Connection c;
        try {
          c = listener.accept();
        } catch (IOException e) {
          return;
        }
        connections.incrementAndGet();
        Thread.ofVirtual().start(() -> {
          try (c) {
            while (true) {
              List<RequestFrame> got = new ArrayList<>();
              for (int i = 0; i < batch; i++) {
                var payload = codec.read(c.input());
                if (payload.isEmpty()) {
                  return;
                }
                got.add(ProtocolCodec.decodeRequest(payload.get()));
              }
              Collections.reverse(got);
              for (RequestFrame r : got) {
                codec.write(c.output(), ProtocolCodec.encode(ResponseFrame.of(r.requestId(),
                    new EnclaveResponse.HealthStatus("ok", "test", Integer.parseInt(r.requestId())))));
              }
            }
          } catch (Exception e) {
            // Connection ended.
          }
        });
      }
    });
    return listener;
  }

  @Test
  void concurrentCallsGetTheirOwnAnswers() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (var peer = reversingPeer(4, connections);
        EnclaveClient client = new EnclaveClient(() -> TcpTransport.connect(peer.port()), 1, Duration.ofSeconds(10));
        var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<EnclaveResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        calls.add(pool.submit(() -> client.call(new EnclaveRequest.Health())));
      }
      List<Integer> ids = new ArrayList<>();
      for (Future<EnclaveResponse> f : calls) {
        ids.add(assertInstanceOf(EnclaveResponse.HealthStatus.class, f.get()).keys());
      }
      assertEquals(64, ids.stream().distinct().count(), "each call got the answer to its own id");
      assertEquals(1, connections.get());
    }
  }

  @Test
  void aSilentEnclaveTimesOut() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (var peer = reversingPeer(2, connections); // waits for a second request that never comes
        EnclaveClient client = new EnclaveClient(() -> TcpTransport.connect(peer.port()), 1, Duration.ofMillis(300))) {
      EnclaveUnavailableException e = assertThrows(EnclaveUnavailableException.class,
          () -> client.call(new EnclaveRequest.Health()));
      assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    }
  }

  @Test
  void aDeadEnclaveIsUnavailableNotAHang() throws Exception {
    int port;
    try (var listener = TcpTransport.listen(0)) {
      port = listener.port();
    }
    try (EnclaveClient client = new EnclaveClient(() -> TcpTransport.connect(port), 1, Duration.ofSeconds(5))) {
      assertThrows(EnclaveUnavailableException.class, () -> client.call(new EnclaveRequest.Health()));
    }
  }

  @Test
  void addressesParseAndBadOnesNameTheForm() {
    assertEquals(new EnclaveAddress.Vsock(16, 5000), EnclaveAddress.parse("vsock:16:5000"));
    assertEquals(new EnclaveAddress.LoopbackTcp(7000), EnclaveAddress.parse("tcp:7000"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnclaveAddress.parse("vsock:16"));
    assertTrue(e.getMessage().contains("vsock:CID:PORT"));
  }
}
