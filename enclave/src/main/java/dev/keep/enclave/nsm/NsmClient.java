package dev.keep.enclave.nsm;

import java.util.Arrays;
import java.util.Objects;

/**
 * The NSM requests Keep uses, over any {@link NsmDevice}: GetRandom for entropy and Attestation for
 * the signed document. Thread-safe if the device is (the driver is).
 *
 * <p>Every reply array and decoded value that held random bytes is zeroed once its bytes are copied
 * to the caller's array.
 */
public final class NsmClient {
  private final NsmDevice device;

  public NsmClient(NsmDevice device) {
    this.device = Objects.requireNonNull(device, "device");
  }

  /**
   * {@code n} bytes from the NSM's GetRandom. The NSM returns a bounded number of bytes per call
   * (256 on current hardware), so this asks as many times as needed.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   * @throws NsmException if a call fails or a reply is malformed or empty
   */
  public byte[] getRandom(int n) throws NsmException {
    if (n < 0) {
      throw new IllegalArgumentException("cannot draw a negative number of bytes: " + n);
    }
    byte[] out = new byte[n];
    fillRandom(out);
    return out;
  }

  /**
   * Fills {@code out} with bytes from GetRandom, without an extra copy of the result. If a call
   * fails, the part already filled is zeroed before the exception is thrown, so a caller never sees
   * a half-random array.
   */
  public void fillRandom(byte[] out) throws NsmException {
    int filled = 0;
    try {
      while (filled < out.length) {
        filled += takeRandom(out, filled);
      }
    } catch (NsmException | RuntimeException e) {
      Arrays.fill(out, 0, filled, (byte) 0);
      throw e;
    }
  }

  /** One GetRandom call; copies up to {@code out.length - from} bytes and returns how many. */
  private int takeRandom(byte[] out, int from) throws NsmException {
    byte[] reply = device.call(NsmCodec.encodeGetRandom());
    byte[] random = null;
    try {
      random = NsmCodec.decodeGetRandom(reply);
      if (random.length == 0) {
        // Progress must be made on every call, or the loop above would never end.
        throw new NsmException.MalformedResponse("the GetRandom reply has no random bytes");
      }
      int taken = Math.min(random.length, out.length - from);
      System.arraycopy(random, 0, out, from, taken);
      return taken;
    } finally {
      if (reply != null) {
        Arrays.fill(reply, (byte) 0);
      }
      if (random != null) {
        Arrays.fill(random, (byte) 0);
      }
    }
  }

  /**
   * Asks the NSM to sign an attestation document (aws-nitro-enclaves-nsm-api {@code
   * Request::Attestation}) and returns it as received: a COSE_Sign1 structure whose payload is the
   * CBOR attestation document. Each argument may be null to leave that field out.
   *
   * @throws NsmException.ErrorResponse if the NSM refuses, for example a field that is too long
   * @throws NsmException if the call fails or the reply is malformed or empty
   */
  public byte[] attestation(byte[] userData, byte[] nonce, byte[] publicKey) throws NsmException {
    byte[] document =
        NsmCodec.decodeAttestation(
            device.call(NsmCodec.encodeAttestation(userData, nonce, publicKey)));
    if (document.length == 0) {
      throw new NsmException.MalformedResponse("the Attestation reply has an empty document");
    }
    return document;
  }
}
