package dev.keep.schema.transport;

import java.io.IOException;

/**
 * A vsock system call failed. The message names the call, the errno and what it usually means
 * here, for example {@code socket(AF_VSOCK): EAFNOSUPPORT (97): this kernel has no vsock support}.
 */
public final class VsockException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  VsockException(String call, int errno) {
    super(call + ": " + describe(errno));
    this.errno = errno;
  }

  /** The Linux errno the call reported. */
  public int errno() {
    return errno;
  }

  /** Linux errno values (asm-generic/errno-base.h, asm-generic/errno.h) and their vsock meaning. */
  static String describe(int errno) {
    return switch (errno) {
      case 1 -> "EPERM (1): not permitted (a seccomp filter, such as Docker's default, may block"
          + " AF_VSOCK)";
      case 13 -> "EACCES (13): ports below 1024 need CAP_NET_BIND_SERVICE";
      case 19 -> "ENODEV (19): no vsock transport is loaded for that CID";
      case 22 -> "EINVAL (22): invalid argument (a bad address, or the socket is already bound)";
      case 24 -> "EMFILE (24): this process has too many open files";
      case 32 -> "EPIPE (32): the connection is closed for writing";
      case 97 -> "EAFNOSUPPORT (97): this kernel has no vsock support";
      case 98 -> "EADDRINUSE (98): another socket is already bound to that vsock port";
      case 99 -> "EADDRNOTAVAIL (99): this machine does not have that CID (CID 1 needs the"
          + " vsock_loopback transport)";
      case 104 -> "ECONNRESET (104): the peer reset the connection (on vsock this is also how a"
          + " connect to a port nobody listens on fails)";
      case 107 -> "ENOTCONN (107): the socket is not connected";
      case 110 -> "ETIMEDOUT (110): the peer did not answer in time";
      case 111 -> "ECONNREFUSED (111): nothing is listening on that CID and port";
      default -> "errno " + errno;
    };
  }
}
