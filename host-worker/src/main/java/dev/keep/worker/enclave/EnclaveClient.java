package dev.keep.worker.enclave;

import dev.keep.schema.protocol.ResponseFrame;

import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.transport.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host's side of the enclave protocol: a small pool of multiplexed connections. Any number of
 * callers may share it; requests are spread over the connections round-robin.
 */
public final class EnclaveClient implements AutoCloseable {
  /** Opens a byte stream to the enclave: vsock in production, loopback TCP locally. */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws IOException;
  }

  private final MultiplexedConnection[] connections;
  private final AtomicInteger next = new AtomicInteger();
  private final Duration timeout;

  public EnclaveClient(Connector connector, int connections, Duration timeout) {
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be at least 1");
    }
    this.timeout = timeout;
    this.connections = new MultiplexedConnection[connections];
    FrameCodec codec = new FrameCodec();
    for (int i = 0; i < connections; i++) {
      this.connections[i] = new MultiplexedConnection(connector, codec);
    }
  }

  /**
   * Sends one request and waits for its response, at most the configured timeout. What the request
   * sealed is dropped: callers that create keys or charge policies use {@link #exchange}.
   */
  public EnclaveResponse call(EnclaveRequest request) throws EnclaveUnavailableException {
    return exchange(request).body();
  }

  /** Sends one request and returns the whole response frame, with the blobs the enclave sealed. */
  public ResponseFrame exchange(EnclaveRequest request) throws EnclaveUnavailableException {
    return exchange(request, null);
  }

  /**
   * Sends a request about one key with the key's stored {@code state} (null: the enclave's own), to
   * be decided on exactly that state.
   */
  public ResponseFrame exchange(EnclaveRequest request, dev.keep.schema.protocol.SealedBlob state)
      throws EnclaveUnavailableException {
    int index = Math.floorMod(next.getAndIncrement(), connections.length);
    return connections[index].call(request, state, timeout);
  }

  @Override
  public void close() {
    for (MultiplexedConnection c : connections) {
      c.close();
    }
  }
}
