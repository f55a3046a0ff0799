package dev.keep.enclave.server;

import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.ProtocolException;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.transport.Connection;
import dev.keep.schema.transport.Listener;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves framed requests on any {@link Listener}. Each connection is read by its own virtual
 * thread; requests on one connection run concurrently (responses carry the request id, so they
 * may come back in any order), up to {@link #MAX_IN_FLIGHT_PER_CONNECTION}.
 *
 * <p>A frame that is too large or does not parse gets an {@code INVALID_REQUEST} response and
 * the connection is closed, since the stream can no longer be trusted to be aligned on frames.
 * Other connections are unaffected.
 */
public final class FrameServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FrameServer.class);
  public static final int MAX_IN_FLIGHT_PER_CONNECTION = 64;

  private final Listener listener;
  private final EnclaveService service;
  private final FrameCodec codec;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public FrameServer(Listener listener, EnclaveService service, FrameCodec codec) {
    this.listener = listener;
    this.service = service;
    this.codec = codec;
  }

  /** Starts accepting in the background and returns. */
  public FrameServer start() {
    Thread.ofPlatform().name("enclave-accept").daemon(true).start(this::acceptLoop);
    return this;
  }

  public String address() {
    return listener.address();
  }

  private void acceptLoop() {
    while (!closed) {
      Connection connection;
      try {
        connection = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.error("accept failed on {}: {}", listener.address(), e.getMessage());
        }
        return;
      }
      open.add(connection);
      threads.submit(() -> serve(connection));
    }
  }

  private void serve(Connection connection) {
    ReentrantLock writeLock = new ReentrantLock();
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT_PER_CONNECTION);
    try (connection) {
      while (!closed) {
        Optional<byte[]> payload;
        RequestFrame frame;
        try {
          payload = codec.read(connection.input());
          if (payload.isEmpty()) {
            break;
          }
          frame = ProtocolCodec.decodeRequest(payload.get());
        } catch (ProtocolException e) {
          LOG.warn("closing {}: {}", connection.peer(), e.getMessage());
          respond(connection.output(), writeLock,
              ResponseFrame.of("", new EnclaveResponse.Error(ErrorCode.INVALID_REQUEST, e.getMessage())));
          break;
        }
        inFlight.acquireUninterruptibly();
        threads.submit(
            () -> {
              try {
                respond(connection.output(), writeLock,
                    service.handle(frame));
              } finally {
                inFlight.release();
              }
            });
      }
      // Let requests already read finish before the connection closes.
      inFlight.acquireUninterruptibly(MAX_IN_FLIGHT_PER_CONNECTION);
    } catch (IOException e) {
      LOG.debug("connection {} ended: {}", connection.peer(), e.getMessage());
    } finally {
      open.remove(connection);
    }
  }

  private void respond(OutputStream out, ReentrantLock writeLock, ResponseFrame response) {
    byte[] bytes = ProtocolCodec.encode(response);
    if (bytes.length > codec.maxFrameBytes()) {
      // An answer that cannot be framed must not vanish: the peer would wait for it until its
      // deadline and report the enclave as unavailable. What the request sealed still travels, so
      // a charge made for it is stored, and so does the receipt already issued, or its chain would
      // show a gap.
      LOG.warn("answer to request {} is {} bytes, over the {}-byte frame; answering RESULT_TOO_LARGE",
          response.requestId(), bytes.length, codec.maxFrameBytes());
      bytes = ProtocolCodec.encode(ResponseFrame.of(response.requestId(),
          new EnclaveResponse.Error(ErrorCode.RESULT_TOO_LARGE, "the answer is " + bytes.length
              + " bytes, over the " + codec.maxFrameBytes() + "-byte frame limit"),
          response.sealed()).withReceipt(response.receipt()));
    }
    writeLock.lock();
    try {
      codec.write(out, bytes);
    } catch (IOException e) {
      LOG.debug("could not answer request {}: {}", response.requestId(), e.getMessage());
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Connection c : open) {
      c.close();
    }
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
