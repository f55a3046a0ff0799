package dev.keep.schema.transport;

import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes native descriptors exactly once, and never while another thread is inside a call that
 * uses them. Freeing a descriptor number under a running call is dangerous: the kernel hands the
 * number to the next file this process opens, and the late call would then read or write that
 * unrelated file. So {@link #close()} only marks the guard closed and wakes blocked callers; the
 * descriptors are released by whichever thread leaves last.
 */
final class FdGuard {
  /** Something done to the descriptors, which are valid for its whole duration. */
  @FunctionalInterface
  interface Action {
    void run() throws IOException;
  }

  /** High bit: closed. The rest: how many threads are inside {@link #enter()}/{@link #exit()}. */
  private static final int CLOSED = 1 << 30;

  private final AtomicInteger state = new AtomicInteger();
  private final String name;
  private final Action wake;
  private final Action release;

  /**
   * @param name what the descriptors are, for "is closed" messages
   * @param wake makes calls blocked on the descriptors return (shutdown(2), an eventfd write)
   * @param release closes the descriptors
   */
  FdGuard(String name, Action wake, Action release) {
    this.name = name;
    this.wake = wake;
    this.release = release;
  }

  /** Call before using the descriptors; pair with {@link #exit()} in a {@code finally}. */
  void enter() throws SocketException {
    int s;
    do {
      s = state.get();
      if ((s & CLOSED) != 0) {
        throw new SocketException(name + " is closed");
      }
    } while (!state.compareAndSet(s, s + 1));
  }

  void exit() {
    if (state.decrementAndGet() == CLOSED) {
      try {
        release.run();
      } catch (IOException ignored) {
        // The owner has already returned from close(); nobody is left to tell.
      }
    }
  }

  boolean isClosed() {
    return (state.get() & CLOSED) != 0;
  }

  /** Marks closed, wakes blocked callers, and releases now unless a caller is still inside. */
  void close() throws IOException {
    int s;
    do {
      s = state.get();
      if ((s & CLOSED) != 0) {
        return;
      }
      // Count this thread as a user too, so that the descriptors stay valid while it wakes others.
    } while (!state.compareAndSet(s, (s + 1) | CLOSED));
    try {
      wake.run();
    } finally {
      if (state.decrementAndGet() == CLOSED) {
        release.run();
      }
    }
  }
}
