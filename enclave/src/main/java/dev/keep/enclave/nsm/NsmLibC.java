package dev.keep.enclave.nsm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * open(2), ioctl(2) and close(2), bound with the Foreign Function & Memory API the way {@code
 * dev.keep.schema.transport.LibC} binds the socket calls: each handle captures {@code errno} right
 * after the call, before the JVM can run other native code on the thread. That class is
 * package-private to the vsock transport, so the NSM keeps its own three bindings.
 *
 * <p>open(2) and ioctl(2) are variadic in C; their handles say so ({@link
 * Linker.Option#firstVariadicArg}), so the call follows the variadic calling convention.
 */
final class NsmLibC {
  // fcntl.h; x86-64 and aarch64 share these values (asm-generic/fcntl.h).
  static final int O_RDWR = 0x2;
  static final int O_CLOEXEC = 0x80000; // the descriptor must not leak into child processes

  // asm-generic/errno-base.h and asm-generic/errno.h.
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int ENOTTY = 25;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

  /** {@code int open(const char *path, int flags, ...)}, called without the mode argument. */
  private static final MethodHandle OPEN =
      downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), 2);

  /** {@code int ioctl(int fd, unsigned long request, ...)}, with one pointer argument. */
  private static final MethodHandle IOCTL =
      downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);

  private static final MethodHandle CLOSE =
      downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);

  private NsmLibC() {}

  /** open(2) for reading and writing, close-on-exec. A signal's EINTR is retried. */
  static int open(String path) throws NsmException.SystemCallFailed {
    String what = "open(" + path + ")";
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cPath = arena.allocateFrom(path);
      return call(what, true, s -> (int) OPEN.invokeExact(s, cPath, O_RDWR | O_CLOEXEC));
    }
  }

  /**
   * ioctl(2) with a pointer argument. Not retried on EINTR: a request such as ExtendPCR must not
   * reach the NSM twice (the driver waits uninterruptibly, so EINTR is not expected anyway).
   */
  static void ioctl(String what, int fd, long request, MemorySegment argument)
      throws NsmException.SystemCallFailed {
    call(what, false, s -> (int) IOCTL.invokeExact(s, fd, request, argument));
  }

  /** close(2) is never retried: on Linux the descriptor is released even when it reports EINTR. */
  static void close(String what, int fd) throws NsmException.SystemCallFailed {
    call(what, false, s -> (int) CLOSE.invokeExact(s, fd));
  }

  /** The name, the number and what it means for the NSM device (drivers/misc/nsm.c). */
  static String describe(int errno) {
    return switch (errno) {
      case 1 -> "EPERM (1): not permitted";
      case ENOENT -> "ENOENT (2): no such file";
      case 5 -> "EIO (5): the driver could not hand the request to the NSM";
      case 9 -> "EBADF (9): the descriptor is not open";
      case 13 -> "EACCES (13): permission denied";
      case 14 -> "EFAULT (14): the driver could not copy a buffer";
      case 22 -> "EINVAL (22): the driver does not know this ioctl request code or size";
      case ENOTTY -> "ENOTTY (25): this file is not the NSM device (it takes no NSM ioctl)";
      case 61 -> "ENODATA (61): the NSM answered with the wrong buffer";
      case 90 -> "EMSGSIZE (90): the request is larger than the driver takes";
      case 110 -> "ETIMEDOUT (110): the NSM did not answer within the driver's timeout";
      default -> "errno " + errno;
    };
  }

  /** One native call that takes the errno capture segment as its first argument. */
  @FunctionalInterface
  private interface Call {
    int invoke(MemorySegment callState) throws Throwable;
  }

  /** Runs {@code call}; -1 becomes a {@link NsmException.SystemCallFailed} with the errno. */
  private static int call(String what, boolean retryOnEintr, Call call)
      throws NsmException.SystemCallFailed {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        int result;
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
          throw new NsmException.SystemCallFailed(what, errno);
        }
      }
    }
  }

  // Restricted: a wrong signature here corrupts memory. The JVM must allow native access.
  @SuppressWarnings("restricted")
  private static MethodHandle downcall(
      String name, FunctionDescriptor descriptor, int firstVariadicArg) {
    MemorySegment symbol =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
    Linker.Option errno = Linker.Option.captureCallState("errno");
    return firstVariadicArg < 0
        ? LINKER.downcallHandle(symbol, descriptor, errno)
        : LINKER.downcallHandle(
            symbol, descriptor, errno, Linker.Option.firstVariadicArg(firstVariadicArg));
  }
}
