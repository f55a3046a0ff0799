package dev.keep.schema.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * A vsock address: a context ID (which machine) and a port, both unsigned 32-bit in the kernel,
 * held here as {@code long} so that the values above {@link Integer#MAX_VALUE} stay readable.
 */
record VsockAddress(long cid, long port) {
  /** VMADDR_CID_ANY: bind to whichever CID this machine has. */
  static final long CID_ANY = 0xFFFF_FFFFL;

  private static final long MAX_U32 = 0xFFFF_FFFFL;

  /**
   * {@code struct sockaddr_vm} from {@code <linux/vm_sockets.h>} (see vsock(7)): 16 bytes, the
   * size of {@code struct sockaddr}.
   *
   * <pre>
   *   sa_family_t    svm_family;     // AF_VSOCK
   *   unsigned short svm_reserved1;  // 0
   *   unsigned int   svm_port;
   *   unsigned int   svm_cid;
   *   __u8           svm_flags;      // 0; VMADDR_FLAG_TO_HOST is for nested VMs, not used here
   *   unsigned char  svm_zero[3];    // must be zero, the kernel rejects the address otherwise
   * </pre>
   */
  static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_SHORT.withName("svm_family"),
          JAVA_SHORT.withName("svm_reserved1"),
          JAVA_INT.withName("svm_port"),
          JAVA_INT.withName("svm_cid"),
          JAVA_BYTE.withName("svm_flags"),
          MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("svm_zero"));

  private static final VarHandle FAMILY = field("svm_family");
  private static final VarHandle PORT = field("svm_port");
  private static final VarHandle CID = field("svm_cid");

  VsockAddress {
    requireU32("cid", cid);
    requireU32("port", port);
  }

  /** From the public API's {@code int} arguments, which must not be negative. */
  static VsockAddress of(int cid, int port) {
    return new VsockAddress(requireNonNegative("cid", cid), requireNonNegative("port", port));
  }

  /** VMADDR_CID_ANY and {@code port}, which must not be negative. */
  static VsockAddress any(int port) {
    return new VsockAddress(CID_ANY, requireNonNegative("port", port));
  }

  /** A new zeroed {@code sockaddr_vm} holding this address, allocated in {@code arena}. */
  MemorySegment toNative(Arena arena) {
    MemorySegment addr = arena.allocate(LAYOUT);
    addr.fill((byte) 0);
    FAMILY.set(addr, 0L, (short) LibC.AF_VSOCK);
    PORT.set(addr, 0L, (int) port);
    CID.set(addr, 0L, (int) cid);
    return addr;
  }

  /** Reads a {@code sockaddr_vm} the kernel filled in (accept(2)). */
  static VsockAddress fromNative(MemorySegment addr) {
    return new VsockAddress(
        Integer.toUnsignedLong((int) CID.get(addr, 0L)),
        Integer.toUnsignedLong((int) PORT.get(addr, 0L)));
  }

  /** {@code vsock:CID:PORT}, or {@code vsock:any:PORT} for VMADDR_CID_ANY. */
  @Override
  public String toString() {
    return "vsock:" + (cid == CID_ANY ? "any" : Long.toString(cid)) + ":" + port;
  }

  private static long requireNonNegative(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, got " + value);
    }
    return value;
  }

  private static void requireU32(String field, long value) {
    if (value < 0 || value > MAX_U32) {
      throw new IllegalArgumentException(
          field + " must be an unsigned 32-bit value (0.." + MAX_U32 + "), got " + value);
    }
  }

  private static VarHandle field(String name) {
    return LAYOUT.varHandle(PathElement.groupElement(name));
  }
}
