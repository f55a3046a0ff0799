package dev.keep.worker.enclave;

import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.ProtocolException;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.transport.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection carrying many concurrent requests, matched to responses by request id. When the
 * connection breaks, every waiting call fails with {@link EnclaveUnavailableException} and the
 * next call reconnects.
 */
final class MultiplexedConnection {
  private final EnclaveClient.Connector connector;
  private final FrameCodec codec;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong ids = new AtomicLong();
  private Session session;

  /** One open connection and the calls waiting on it. */
  private final class Session {
    final Connection connection;
    final Map<String, CompletableFuture<ResponseFrame>> waiting = new ConcurrentHashMap<>();
    volatile boolean broken;

    Session(Connection connection) {
      this.connection = connection;
      Thread.ofVirtual().name("enclave-reader").start(this::readLoop);
    }

    private void readLoop() {
      try {
        while (true) {
          Optional<byte[]> payload = codec.read(connection.input());
          if (payload.isEmpty()) {
            fail(new EnclaveUnavailableException("the enclave closed the connection"));
            return;
          }
          ResponseFrame frame = ProtocolCodec.decodeResponse(payload.get());
          CompletableFuture<ResponseFrame> call = waiting.remove(frame.requestId());
          if (call != null) {
            call.complete(frame);
          } else if (frame.requestId().isEmpty()) {
            // The enclave refused a frame it could not parse and is closing the connection.
            fail(new EnclaveUnavailableException("the enclave refused a frame: " + frame.body()));
            return;
          }
        }
      } catch (IOException | ProtocolException e) {
        fail(new EnclaveUnavailableException("enclave connection failed: " + e.getMessage(), e));
      }
    }

    void fail(EnclaveUnavailableException cause) {
      broken = true;
      try {
        connection.close();
      } catch (IOException ignored) {
        // Already broken.
      }
      waiting.values().forEach(f -> f.completeExceptionally(cause));
      waiting.clear();
    }
  }

  MultiplexedConnection(EnclaveClient.Connector connector, FrameCodec codec) {
    this.connector = connector;
    this.codec = codec;
  }

  ResponseFrame call(EnclaveRequest request, dev.keep.schema.protocol.SealedBlob state, Duration timeout)
      throws EnclaveUnavailableException {
    String id = Long.toString(ids.incrementAndGet());
    byte[] payload = ProtocolCodec.encode(RequestFrame.of(id, request, state));
    CompletableFuture<ResponseFrame> response = new CompletableFuture<>();
    Session current;
    lock.lock();
    try {
      current = openSession();
      current.waiting.put(id, response);
      codec.write(current.connection.output(), payload);
    } catch (IOException e) {
      if (session != null) {
        session.fail(new EnclaveUnavailableException("enclave write failed: " + e.getMessage(), e));
      }
      throw new EnclaveUnavailableException("cannot reach the enclave: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
    try {
      return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      current.waiting.remove(id);
      throw new EnclaveUnavailableException("the enclave did not answer within " + timeout);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof EnclaveUnavailableException u) {
        throw u;
      }
      throw new EnclaveUnavailableException("enclave call failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      current.waiting.remove(id);
      throw new EnclaveUnavailableException("interrupted while waiting for the enclave");
    }
  }

  private Session openSession() throws IOException {
    if (session == null || session.broken) {
      session = new Session(connector.connect());
    }
    return session;
  }

  void close() {
    lock.lock();
    try {
      if (session != null) {
        session.fail(new EnclaveUnavailableException("client closed"));
      }
    } finally {
      lock.unlock();
    }
  }
}
