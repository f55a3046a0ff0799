package dev.keep.schema.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc socket calls vsock needs, bound with the Foreign Function & Memory API. Each handle
 * captures {@code errno} right after the call ({@link Linker.Option#captureCallState}), because
 * the JVM may run other native code on this thread before Java could read it otherwise.
 *
 * <p>Constants are the Linux values (x86-64 and aarch64 share them): socket(2), accept(2),
 * send(2), shutdown(2), poll(2), eventfd(2) and vsock(7).
 */
final class LibC {
  static final int AF_VSOCK = 40;
  static final int SOCK_STREAM = 1;
  static final int SOCK_NONBLOCK = 0x800; // O_NONBLOCK
  static final int SOCK_CLOEXEC = 0x80000; // O_CLOEXEC: the descriptor must not leak into children
  static final int SHUT_RDWR = 2;
  /** send(2): report EPIPE instead of raising SIGPIPE, whose default action would kill the JVM. */
  static final int MSG_NOSIGNAL = 0x4000;
  static final short POLLIN = 0x1;
  static final int EFD_NONBLOCK = SOCK_NONBLOCK;
  static final int EFD_CLOEXEC = SOCK_CLOEXEC;

  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int ENOTCONN = 107;

  /** {@code struct pollfd} from poll(2): {@code int fd; short events; short revents;}. */
  static final StructLayout POLLFD =
      MemoryLayout.structLayout(
          JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(PathElement.groupElement("errno"));

  private static final MethodHandle SOCKET =
      downcall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle BIND = downcall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle LISTEN = downcall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle ACCEPT4 =
      downcall("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
  private static final MethodHandle CONNECT =
      downcall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle RECV =
      downcall("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
  private static final MethodHandle SEND =
      downcall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
  private static final MethodHandle WRITE =
      downcall("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle SHUTDOWN = downcall("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle CLOSE = downcall("close", JAVA_INT, JAVA_INT);
  private static final MethodHandle POLL =
      downcall("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
  private static final MethodHandle EVENTFD = downcall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);

  private LibC() {}

  static int socket(int domain, int type, int protocol) throws VsockException {
    return (int)
        call("socket(AF_VSOCK)", false, s -> (int) SOCKET.invokeExact(s, domain, type, protocol));
  }

  static void bind(String what, int fd, MemorySegment addr) throws VsockException {
    call(what, false, s -> (int) BIND.invokeExact(s, fd, addr, (int) addr.byteSize()));
  }

  static void listen(String what, int fd, int backlog) throws VsockException {
    call(what, false, s -> (int) LISTEN.invokeExact(s, fd, backlog));
  }

  /** accept4(2): {@code addr} gets the peer's address; {@code len} holds its size, in and out. */
  static int accept4(String what, int fd, MemorySegment addr, MemorySegment len, int flags)
      throws VsockException {
    return (int) call(what, true, s -> (int) ACCEPT4.invokeExact(s, fd, addr, len, flags));
  }

  /**
   * connect(2). Retrying after EINTR is safe on vsock: Linux cancels a connect that a signal
   * interrupts and returns the socket to the unconnected state.
   */
  static void connect(String what, int fd, MemorySegment addr) throws VsockException {
    call(what, true, s -> (int) CONNECT.invokeExact(s, fd, addr, (int) addr.byteSize()));
  }

  static long recv(String what, int fd, MemorySegment buf, int flags) throws VsockException {
    return call(what, true, s -> (long) RECV.invokeExact(s, fd, buf, buf.byteSize(), flags));
  }

  static long send(String what, int fd, MemorySegment buf, int flags) throws VsockException {
    return call(what, true, s -> (long) SEND.invokeExact(s, fd, buf, buf.byteSize(), flags));
  }

  static long write(String what, int fd, MemorySegment buf) throws VsockException {
    return call(what, true, s -> (long) WRITE.invokeExact(s, fd, buf, buf.byteSize()));
  }

  static void shutdown(String what, int fd, int how) throws VsockException {
    call(what, false, s -> (int) SHUTDOWN.invokeExact(s, fd, how));
  }

  /** close(2) is never retried: on Linux the descriptor is released even when it reports EINTR. */
  static void close(String what, int fd) throws VsockException {
    call(what, false, s -> (int) CLOSE.invokeExact(s, fd));
  }

  /** Closes on a path that is already failing; the first error is the one worth reporting. */
  static void closeQuietly(int fd) {
    try {
      close("close", fd);
    } catch (VsockException ignored) {
      // Nothing more can be done with this descriptor.
    }
  }

  static int poll(String what, MemorySegment fds, long count, int timeoutMillis)
      throws VsockException {
    return (int) call(what, true, s -> (int) POLL.invokeExact(s, fds, count, timeoutMillis));
  }

  static int eventfd(int initial, int flags) throws VsockException {
    return (int) call("eventfd", false, s -> (int) EVENTFD.invokeExact(s, initial, flags));
  }

  /** A {@code struct pollfd} array in {@code arena} that waits for input on each of {@code fds}. */
  static MemorySegment pollForInput(Arena arena, int... fds) {
    MemorySegment array = arena.allocate(POLLFD, fds.length);
    for (int i = 0; i < fds.length; i++) {
      MemorySegment slot = array.asSlice(i * POLLFD.byteSize(), POLLFD);
      slot.set(JAVA_INT, POLLFD.byteOffset(PathElement.groupElement("fd")), fds[i]);
      slot.set(JAVA_SHORT, POLLFD.byteOffset(PathElement.groupElement("events")), POLLIN);
    }
    return array;
  }

  /** One native call that takes the errno capture segment as its first argument. */
  @FunctionalInterface
  private interface Call {
    long invoke(MemorySegment callState) throws Throwable;
  }

  /**
   * Runs {@code call}; a result of -1 becomes a {@link VsockException} named after {@code what}
   * and carrying the captured errno. With {@code retryOnEintr} a call that a signal handler
   * interrupted before it did anything (EINTR, see signal(7)) is simply made again.
   */
  private static long call(String what, boolean retryOnEintr, Call call) throws VsockException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        long result;
        try {
          result = call.invoke(state);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new AssertionError("a downcall handle threw a checked exception", t);
        }
        if (result != -1) {
          return result;
        }
        int errno = (int) ERRNO.get(state, 0L);
        if (!(retryOnEintr && errno == EINTR)) {
          throw new VsockException(what, errno);
        }
      }
    }
  }

  // Restricted: a wrong signature here corrupts memory. The JVM must allow native access.
  @SuppressWarnings("restricted")
  private static MethodHandle downcall(String name, MemoryLayout result, MemoryLayout... args) {
    MemorySegment symbol =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
    return LINKER.downcallHandle(
        symbol, FunctionDescriptor.of(result, args), Linker.Option.captureCallState("errno"));
  }
}
