package dev.keep.schema.protocol;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Length-prefixed frames: a 4-byte big-endian length, then that many bytes of message. The length
 * is checked against the limit before anything is allocated, so a peer cannot make either side
 * reserve memory by announcing a large frame.
 */
public final class FrameCodec {
  /** 4 MiB: room for a large PSBT and its analysis, far below what would strain the enclave. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

  private final int maxFrameBytes;

  public FrameCodec(int maxFrameBytes) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException("maxFrameBytes must be positive");
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  public FrameCodec() {
    this(DEFAULT_MAX_FRAME_BYTES);
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Reads one frame.
   *
   * @return the payload, or empty when the stream ended cleanly between frames
   * @throws ProtocolException when the length is out of range or the stream ends inside a frame
   */
  public Optional<byte[]> read(InputStream in) throws IOException, ProtocolException {
    DataInputStream data = in instanceof DataInputStream d ? d : new DataInputStream(in);
    int first = data.read();
    if (first < 0) {
      return Optional.empty();
    }
    int length;
    try {
      length = (first << 24) | (data.readUnsignedByte() << 16) | (data.readUnsignedShort());
    } catch (EOFException e) {
      throw new ProtocolException("frame: stream ended inside the 4-byte length prefix");
    }
    if (length < 0 || length > maxFrameBytes) {
      throw new ProtocolException(
          "frame: length "
              + Integer.toUnsignedString(length)
              + " exceeds the maximum of "
              + maxFrameBytes
              + " bytes");
    }
    byte[] payload = new byte[length];
    try {
      data.readFully(payload);
    } catch (EOFException e) {
      throw new ProtocolException("frame: stream ended inside a frame of " + length + " bytes");
    }
    return Optional.of(payload);
  }

  /** Writes one frame; refuses a payload over the limit rather than sending what the peer drops. */
  public void write(OutputStream out, byte[] payload) throws IOException {
    if (payload.length > maxFrameBytes) {
      throw new IllegalArgumentException(
          "frame: payload of " + payload.length + " bytes exceeds the maximum of " + maxFrameBytes);
    }
    byte[] frame = new byte[4 + payload.length];
    frame[0] = (byte) (payload.length >>> 24);
    frame[1] = (byte) (payload.length >>> 16);
    frame[2] = (byte) (payload.length >>> 8);
    frame[3] = (byte) payload.length;
    System.arraycopy(payload, 0, frame, 4, payload.length);
    // One write per frame, so frames from concurrent writers never interleave under a lock.
    out.write(frame);
    out.flush();
  }
}
