package dev.keep.schema.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Tests the vsock transport without a second machine. Socket creation, bind, listen and the
 * accept/close interplay run for real wherever the kernel has AF_VSOCK; a full connect needs the
 * vsock_loopback transport (CID 1), and only that test is skipped where the kernel lacks it. On a
 * kernel (or sandbox) with no AF_VSOCK at all, the error itself is what gets checked.
 */
class VsockTransportTest {
  private static final int EPERM = 1;
  private static final int EADDRINUSE = 98;
  private static final int EADDRNOTAVAIL = 99;
  private static final int EAFNOSUPPORT = 97;
  private static final int ECONNRESET = 104;
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @Test
  void sockaddrVmLayoutMatchesLinuxHeader() {
    var layout = VsockAddress.LAYOUT;
    assertEquals(16, layout.byteSize(), "sizeof(struct sockaddr_vm) == sizeof(struct sockaddr)");
    assertEquals(4, layout.byteAlignment());
    assertEquals(0, offset("svm_family"));
    assertEquals(2, offset("svm_reserved1"));
    assertEquals(4, offset("svm_port"));
    assertEquals(8, offset("svm_cid"));
    assertEquals(12, offset("svm_flags"));
    assertEquals(13, offset("svm_zero"));
    assertEquals(8, LibC.POLLFD.byteSize(), "sizeof(struct pollfd)");
  }

  @Test
  void addressIsWrittenAndReadAsUnsignedNativeFields() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = new VsockAddress(0xFFFF_FFFEL, 0x8000_0001L).toNative(arena);
      assertEquals(LibC.AF_VSOCK, addr.get(JAVA_SHORT, 0));
      assertEquals(0, addr.get(JAVA_SHORT, 2));
      assertEquals(0x8000_0001, addr.get(JAVA_INT, 4));
      assertEquals(0xFFFF_FFFE, addr.get(JAVA_INT, 8));
      for (int i = 12; i < 16; i++) {
        assertEquals(0, addr.get(JAVA_BYTE, i), "svm_flags and svm_zero must be zero");
      }
      VsockAddress back = VsockAddress.fromNative(addr);
      assertEquals(new VsockAddress(0xFFFF_FFFEL, 0x8000_0001L), back);
      assertEquals("vsock:4294967294:2147483649", back.toString());
    }
    assertEquals("vsock:any:5000", VsockAddress.any(5000).toString());
    assertEquals("vsock:16:5000", VsockAddress.of(16, 5000).toString());
  }

  @Test
  void rejectsNegativeAndOutOfRangeArgumentsBeforeAnySystemCall() {
    assertMessageNames("port", () -> VsockTransport.listen(-1));
    assertMessageNames("cid", () -> VsockTransport.listen(-1, 5000));
    assertMessageNames("port", () -> VsockTransport.listen(3, Integer.MIN_VALUE));
    assertMessageNames("cid", () -> VsockTransport.connect(-16, 5000));
    assertMessageNames("port", () -> VsockTransport.connect(16, -5000));
    assertMessageNames("cid", () -> new VsockAddress(0x1_0000_0000L, 0));
    assertMessageNames("port", () -> new VsockAddress(0, -1));
  }

  @Test
  void errorsNameTheCallAndTheErrno() {
    assertEquals(
        "socket(AF_VSOCK): EAFNOSUPPORT (97): this kernel has no vsock support",
        new VsockException("socket(AF_VSOCK)", EAFNOSUPPORT).getMessage());
    assertEquals(
        "recv(vsock:3:9): errno 71", new VsockException("recv(vsock:3:9)", 71).getMessage());
    int[] mapped = {1, 13, 19, 22, 32, 97, 98, 99, 104, 110, 111};
    String[] names = {
      "EPERM", "EACCES", "ENODEV", "EINVAL", "EPIPE", "EAFNOSUPPORT", "EADDRINUSE",
      "EADDRNOTAVAIL", "ECONNRESET", "ETIMEDOUT", "ECONNREFUSED"
    };
    for (int i = 0; i < mapped.length; i++) {
      VsockException e = new VsockException("connect(vsock:16:5000)", mapped[i]);
      String expected = "connect(vsock:16:5000): " + names[i] + " (" + mapped[i] + "): ";
      assertTrue(e.getMessage().startsWith(expected), e.getMessage());
      assertEquals(mapped[i], e.errno());
    }
  }

  /** The one test that passes on a kernel without AF_VSOCK, by checking how that is reported. */
  @Test
  void socketBindAndListenWorkOrFailClearly() throws IOException {
    Listener listener;
    try {
      listener = listenOnFreePort(-1);
    } catch (VsockException e) {
      assertNoVsockReportedClearly(e);
      return;
    }
    try (listener) {
      assertTrue(listener.address().matches("vsock:any:\\d+"), listener.address());
      int port = Integer.parseInt(listener.address().substring("vsock:any:".length()));
      VsockException taken = assertThrows(VsockException.class, () -> VsockTransport.listen(port));
      assertEquals(EADDRINUSE, taken.errno());
      assertTrue(
          taken.getMessage().startsWith("bind(vsock:any:" + port + "): EADDRINUSE (98): "),
          taken.getMessage());
    }
  }

  @Test
  void bindingToACidThisMachineDoesNotHaveFails() throws IOException {
    requireVsock();
    int cid = 1_000_000_007; // no transport answers for a CID this large on any real machine
    VsockException e = assertThrows(VsockException.class, () -> VsockTransport.listen(cid, 5000));
    assertEquals(EADDRNOTAVAIL, e.errno(), e.getMessage());
    assertTrue(e.getMessage().startsWith("bind(vsock:" + cid + ":5000): EADDRNOTAVAIL (99)"));
  }

  @Test
  void closingTheListenerUnblocksAnAcceptInAnotherThread() throws Exception {
    requireVsock();
    Listener listener = listenOnFreePort(-1);
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread acceptor =
        Thread.ofPlatform()
            .name("vsock-acceptor")
            .start(
                () -> {
                  try {
                    Connection unexpected = listener.accept();
                    unexpected.close();
                    outcome.set(new AssertionError("accept returned " + unexpected.peer()));
                  } catch (Throwable t) {
                    outcome.set(t);
                  }
                });
    awaitInNativePoll(acceptor);

    listener.close();
    acceptor.join(DEADLINE);

    assertFalse(acceptor.isAlive(), "accept() still blocked after close()");
    IOException e = assertInstanceOf(IOException.class, outcome.get());
    assertTrue(e.getMessage().contains("is closed"), e.getMessage());
  }

  @Test
  void acceptAfterCloseFailsAndCloseIsIdempotent() throws IOException {
    requireVsock();
    Listener listener = listenOnFreePort(-1);
    listener.close();
    listener.close();
    IOException e = assertThrows(IOException.class, listener::accept);
    assertTrue(e.getMessage().contains("is closed"), e.getMessage());
  }

  @Test
  void loopbackConnectionCarriesBytesBothWays() throws Exception {
    requireVsock();
    Listener listener;
    try {
      listener = listenOnFreePort(VsockTransport.CID_LOCAL);
    } catch (VsockException e) {
      if (e.errno() != EADDRNOTAVAIL) {
        throw e;
      }
      Assumptions.assumeTrue(
          false,
          "this kernel has AF_VSOCK but no vsock_loopback transport (CONFIG_VSOCKETS_LOOPBACK),"
              + " so there is no local peer: binding CID 1 failed with "
              + e.getMessage());
      return;
    }
    assertTimeoutPreemptively(DEADLINE, () -> exchangeOverLoopback(listener));
  }

  private static void exchangeOverLoopback(Listener listener) throws Exception {
    try (listener) {
      int port = Integer.parseInt(listener.address().substring("vsock:1:".length()));
      CompletableFuture<Connection> accepted =
          CompletableFuture.supplyAsync(() -> accept(listener));
      try (Connection client = VsockTransport.connect(VsockTransport.CID_LOCAL, port);
          Connection server = accepted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        assertEquals("vsock:1:" + port, client.peer());
        assertTrue(server.peer().matches("vsock:1:\\d+"), server.peer());

        // Larger than one native chunk and than the socket buffer: exercises short writes.
        byte[] big = new byte[3 * 1024 * 1024 + 7];
        ThreadLocalRandom.current().nextBytes(big);
        CompletableFuture<Void> sent =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    client.output().write(big);
                    client.output().flush();
                  } catch (IOException e) {
                    throw new RuntimeException(e);
                  }
                });
        assertArrayEquals(big, readFully(server.input(), big.length));
        sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        server.output().write(0x5A);
        assertEquals(0x5A, client.input().read());

        // Closing one side (here through a stream, which closes the whole connection, as a
        // Socket's streams do) is end-of-stream on the other.
        server.input().close();
        assertEquals(-1, client.input().read());
      }

      // A port nobody listens on: vsock answers with a reset.
      VsockException refused =
          assertThrows(
              VsockException.class,
              () -> VsockTransport.connect(VsockTransport.CID_LOCAL, port == 1 ? 2 : port - 1));
      assertEquals(ECONNRESET, refused.errno(), refused.getMessage());

      // Closing a connection unblocks a read in another thread.
      accepted = CompletableFuture.supplyAsync(() -> accept(listener));
      try (Connection client = VsockTransport.connect(VsockTransport.CID_LOCAL, port);
          Connection server = accepted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        CompletableFuture<Integer> read =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return client.input().read();
                  } catch (IOException expected) {
                    return -2;
                  }
                });
        client.output().close();
        assertEquals(-2, read.get(DEADLINE.toSeconds(), TimeUnit.SECONDS), "read must throw");
        assertThrows(IOException.class, () -> client.output().write(1));
        assertEquals(-1, server.input().read());
      }
    }
  }

  private static Connection accept(Listener listener) {
    try {
      return listener.accept();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static byte[] readFully(InputStream in, int length) throws IOException {
    byte[] data = new byte[length];
    for (int done = 0; done < length; ) {
      int n = in.read(data, done, length - done);
      if (n < 0) {
        fail("stream ended after " + done + " of " + length + " bytes");
      }
      done += n;
    }
    return data;
  }

  /**
   * Listens on a random high port (vsock has 2^32 of them and no ephemeral-port request through
   * this API), trying another on the rare EADDRINUSE. {@code cid} -1 means VMADDR_CID_ANY.
   */
  private static Listener listenOnFreePort(int cid) throws IOException {
    for (int attempt = 0; ; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(100_000, Integer.MAX_VALUE);
      try {
        return cid < 0 ? VsockTransport.listen(port) : VsockTransport.listen(cid, port);
      } catch (VsockException e) {
        if (e.errno() != EADDRINUSE || attempt == 10) {
          throw e;
        }
      }
    }
  }

  /**
   * Skips a test that needs AF_VSOCK where the kernel or sandbox has none, after checking that the
   * failure is reported clearly (that part is {@link #socketBindAndListenWorkOrFailClearly}'s).
   */
  private static void requireVsock() throws IOException {
    try {
      listenOnFreePort(-1).close();
    } catch (VsockException e) {
      if (e.errno() == EAFNOSUPPORT || e.errno() == EPERM) {
        assertNoVsockReportedClearly(e);
        Assumptions.abort("no AF_VSOCK here: " + e.getMessage());
      }
    }
  }

  private static void assertNoVsockReportedClearly(VsockException e) {
    assertTrue(e.errno() == EAFNOSUPPORT || e.errno() == EPERM, e.getMessage());
    assertTrue(
        e.getMessage().startsWith("socket(AF_VSOCK): EAFNOSUPPORT (97): ")
            || e.getMessage().startsWith("socket(AF_VSOCK): EPERM (1): "),
        e.getMessage());
  }

  /** Waits (with a deadline) until {@code thread} is inside LibC.poll, i.e. blocked in accept. */
  private static void awaitInNativePoll(Thread thread) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (Arrays.stream(thread.getStackTrace()).noneMatch(VsockTransportTest::isLibcPoll)) {
      assertTrue(thread.isAlive(), "the accepting thread ended before it reached poll(2)");
      if (System.nanoTime() > deadline) {
        fail("the accepting thread did not reach poll(2) within " + DEADLINE);
      }
      Thread.yield();
    }
  }

  private static boolean isLibcPoll(StackTraceElement frame) {
    return frame.getClassName().equals(LibC.class.getName())
        && frame.getMethodName().equals("poll");
  }

  private static long offset(String field) {
    return VsockAddress.LAYOUT.byteOffset(PathElement.groupElement(field));
  }

  private static void assertMessageNames(String field, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
  }
}
