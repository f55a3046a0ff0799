package dev.keep.enclave.nsm;

/**
 * A transport to the Nitro Security Module: one CBOR request in, one CBOR reply out. {@link
 * NsmDriver} is the real device; tests answer in software.
 *
 * <p>The sizes are the Linux driver's (include/uapi/linux/nsm.h: NSM_REQUEST_MAX_SIZE,
 * NSM_RESPONSE_MAX_SIZE).
 */
public interface NsmDevice {
  /** The largest request the driver accepts; a larger one fails with EMSGSIZE. */
  int MAX_REQUEST_BYTES = 0x1000;

  /** The largest reply the driver can hand back. */
  int MAX_RESPONSE_BYTES = 0x3000;

  /**
   * Sends one request and returns the reply, which may be an {@code Error} reply. The caller owns
   * the returned array and wipes it when the reply carries random bytes.
   *
   * @param cborRequest a CBOR-encoded request of 1 to {@link #MAX_REQUEST_BYTES} bytes
   * @throws NsmException if the request could not be delivered or no reply came back
   */
  byte[] call(byte[] cborRequest) throws NsmException;
}
