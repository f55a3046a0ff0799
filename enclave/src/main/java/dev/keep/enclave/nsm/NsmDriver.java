package dev.keep.enclave.nsm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The NSM device, {@code /dev/nsm}, driven by its one ioctl (Linux drivers/misc/nsm.c,
 * include/uapi/linux/nsm.h): {@code NSM_IOCTL_RAW} takes a {@code struct nsm_raw} that points at
 * the CBOR request and at a buffer for the CBOR reply, and the driver sets the reply's length.
 *
 * <p>Calls are serialised with a lock. The driver serialises them too, but the lock also keeps
 * {@link #close()} from releasing the descriptor while a call is using it. Native access must be
 * enabled ({@code --enable-native-access=ALL-UNNAMED}).
 */
public final class NsmDriver implements NsmDevice, AutoCloseable {
  /** Where the driver puts the device node inside a Nitro Enclave. */
  public static final Path DEFAULT_PATH = Path.of("/dev/nsm");

  /** {@code struct nsm_iovec { __u64 addr; __u64 len; }}. */
  private static final StructLayout NSM_IOVEC =
      MemoryLayout.structLayout(JAVA_LONG.withName("addr"), JAVA_LONG.withName("len"));

  /** {@code struct nsm_raw { struct nsm_iovec request; struct nsm_iovec response; }}. */
  private static final StructLayout NSM_RAW =
      MemoryLayout.structLayout(NSM_IOVEC.withName("request"), NSM_IOVEC.withName("response"));

  private static final long REQUEST_ADDR = offset("request", "addr");
  private static final long REQUEST_LEN = offset("request", "len");
  private static final long RESPONSE_ADDR = offset("response", "addr");
  private static final long RESPONSE_LEN = offset("response", "len");

  /**
   * {@code _IOWR(NSM_MAGIC = 0x0A, 0, struct nsm_raw)}: direction read|write (3) in bits 30-31, the
   * 32-byte argument size in bits 16-29, the magic in bits 8-15 and number 0 in bits 0-7.
   */
  static final long NSM_IOCTL_RAW = (3L << 30) | (NSM_RAW.byteSize() << 16) | (0x0AL << 8);

  /**
   * The reply buffer is larger than the driver's maximum on purpose: the driver truncates a reply
   * that does not fit without saying so (parse_resp_raw), so a reply that fills a buffer of exactly
   * the maximum could not be told from a cut-off one.
   */
  private static final int RESPONSE_CAPACITY = 0x4000;

  private final Path path;
  private final int fd;
  private final ReentrantLock lock = new ReentrantLock();
  private boolean closed;

  private NsmDriver(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /**
   * Opens {@link #DEFAULT_PATH}, or returns empty when it does not exist (not in an enclave). Any
   * other failure to open it is an error.
   */
  public static Optional<NsmDriver> openIfPresent() throws NsmException {
    try {
      return Optional.of(open(DEFAULT_PATH));
    } catch (NsmException.SystemCallFailed e) {
      if (e.errno() == NsmLibC.ENOENT) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Opens the device at {@code path}. A missing file fails with "no /dev/nsm: not running inside a
   * Nitro Enclave". Opening does not check that the file is the NSM; the first call does.
   */
  public static NsmDriver open(Path path) throws NsmException {
    Objects.requireNonNull(path, "path");
    try {
      return new NsmDriver(path, NsmLibC.open(path.toString()));
    } catch (NsmException.SystemCallFailed e) {
      if (e.errno() == NsmLibC.ENOENT) {
        throw new NsmException.SystemCallFailed(
            "no " + path + ": not running inside a Nitro Enclave (" + e.getMessage() + ")",
            e.call(),
            e.errno());
      }
      throw e;
    }
  }

  /**
   * One NSM_IOCTL_RAW round trip. The reply is copied out of native memory, which is then zeroed,
   * because a GetRandom reply holds random bytes.
   *
   * @throws IllegalArgumentException if the request is empty or longer than {@link
   *     #MAX_REQUEST_BYTES} (a caller bug: requests are built by {@link NsmClient})
   * @throws IllegalStateException if the driver is closed
   */
  @Override
  public byte[] call(byte[] cborRequest) throws NsmException {
    if (cborRequest.length == 0 || cborRequest.length > MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException(
          "an NSM request is 1 to " + MAX_REQUEST_BYTES + " bytes, got " + cborRequest.length);
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException(path + " is closed");
      }
      return roundTrip(cborRequest);
    } finally {
      lock.unlock();
    }
  }

  private byte[] roundTrip(byte[] cborRequest) throws NsmException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment request = arena.allocateFrom(JAVA_BYTE, cborRequest);
      MemorySegment response = arena.allocate(RESPONSE_CAPACITY);
      try {
        MemorySegment raw = arena.allocate(NSM_RAW);
        raw.set(JAVA_LONG, REQUEST_ADDR, request.address());
        raw.set(JAVA_LONG, REQUEST_LEN, request.byteSize());
        raw.set(JAVA_LONG, RESPONSE_ADDR, response.address());
        raw.set(JAVA_LONG, RESPONSE_LEN, response.byteSize());
        NsmLibC.ioctl("ioctl(" + path + ", NSM_IOCTL_RAW)", fd, NSM_IOCTL_RAW, raw);
        // The driver writes back min(capacity, reply length); check it anyway before copying.
        long length = raw.get(JAVA_LONG, RESPONSE_LEN);
        if (length <= 0 || length > MAX_RESPONSE_BYTES) {
          throw new NsmException.MalformedResponse(
              "the driver reported a reply of "
                  + length
                  + " bytes; a reply is 1 to "
                  + MAX_RESPONSE_BYTES);
        }
        return response.asSlice(0, length).toArray(JAVA_BYTE);
      } finally {
        response.fill((byte) 0);
      }
    }
  }

  /** Closes the descriptor once; later calls to {@link #call} throw IllegalStateException. */
  @Override
  public void close() throws NsmException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      NsmLibC.close("close(" + path + ")", fd);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "NsmDriver[" + path + "]";
  }

  private static long offset(String iovec, String field) {
    return NSM_RAW.byteOffset(PathElement.groupElement(iovec), PathElement.groupElement(field));
  }
}
