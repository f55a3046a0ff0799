package dev.keep.schema.transport;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One byte stream between host and enclave, whatever carries it (vsock in production, loopback
 * TCP in local mode). Frames ({@code FrameCodec}) ride on top unchanged.
 */
public interface Connection extends Closeable {
  InputStream input();

  OutputStream output();

  /** Who is on the other end, for logs (for example {@code vsock:3:1234} or {@code tcp:127.0.0.1:50123}). */
  String peer();
}
