package dev.keep.enclave.nsm;

import java.io.IOException;

/**
 * A call to the Nitro Security Module failed. The three cases are kept apart because callers act on
 * them differently: a failed system call says the device is missing or unusable, an error reply is
 * the NSM refusing the request, and a malformed reply is one that breaks the protocol.
 *
 * <p>Messages name the call, the errno, the error code or the rule that was broken. They never
 * quote reply bytes: a reply may carry random bytes, and a message ends up in logs.
 */
public abstract sealed class NsmException extends IOException {
  private static final long serialVersionUID = 1L;

  private NsmException(String message) {
    super(message);
  }

  /** A system call on the device failed: open(2), ioctl(2) or close(2). */
  public static final class SystemCallFailed extends NsmException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    SystemCallFailed(String call, int errno) {
      this(call + ": " + NsmLibC.describe(errno), call, errno);
    }

    SystemCallFailed(String message, String call, int errno) {
      super(message);
      this.call = call;
      this.errno = errno;
    }

    /** The call that failed, for example {@code ioctl(/dev/nsm, NSM_IOCTL_RAW)}. */
    public String call() {
      return call;
    }

    /** The Linux errno the call reported. */
    public int errno() {
      return errno;
    }
  }

  /**
   * The NSM answered {@code {"Error": <code>}} (aws-nitro-enclaves-nsm-api, {@code
   * Response::Error(ErrorCode)}).
   */
  public static final class ErrorResponse extends NsmException {
    private static final long serialVersionUID = 1L;

    private final NsmErrorCode code;

    ErrorResponse(String request, NsmErrorCode code) {
      super("the NSM refused " + request + ": " + code.name());
      this.code = code;
    }

    public NsmErrorCode code() {
      return code;
    }
  }

  /** The reply does not have the shape the request calls for; the message names the rule. */
  public static final class MalformedResponse extends NsmException {
    private static final long serialVersionUID = 1L;

    MalformedResponse(String what) {
      super("malformed NSM reply: " + what);
    }
  }
}
