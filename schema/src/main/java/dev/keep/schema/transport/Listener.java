package dev.keep.schema.transport;

import java.io.Closeable;
import java.io.IOException;

/** The enclave's listening socket. {@link #close()} makes a blocked {@link #accept()} throw. */
public interface Listener extends Closeable {
  /** Blocks until a peer connects. */
  Connection accept() throws IOException;

  /** Where it listens, for logs (for example {@code vsock:any:5000}). */
  String address();
}
