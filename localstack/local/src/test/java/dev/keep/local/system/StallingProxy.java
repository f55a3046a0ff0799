package dev.keep.local.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of the enclave that can hold traffic in either direction: a
 * fault injector for the network between a worker and its enclave, with no hook in either.
 */
final class StallingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int upstreamPort;
  private final Object gate = new Object();
  private volatile boolean holdRequests;
  private volatile boolean holdResponses;
  private final AtomicLong requestBytesSeen = new AtomicLong();
  private final AtomicLong responseBytesSeen = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  StallingProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread.ofPlatform().daemon(true).name("proxy-accept").start(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  void holdRequests(boolean hold) {
    holdRequests = hold;
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  void holdResponses(boolean hold) {
    holdResponses = hold;
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  long requestBytesSeen() {
    return requestBytesSeen.get();
  }

  long responseBytesSeen() {
    return responseBytesSeen.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        sockets.add(client);
        sockets.add(upstream);
        Thread.ofPlatform().daemon(true).start(() -> pump(client, upstream, true));
        Thread.ofPlatform().daemon(true).start(() -> pump(upstream, client, false));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean requests) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        (requests ? requestBytesSeen : responseBytesSeen).addAndGet(n);
        synchronized (gate) {
          while (requests ? holdRequests : holdResponses) {
            gate.wait();
          }
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // One side went away; close both.
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // Closing anyway.
      }
    }
  }

  @Override
  public void close() throws IOException {
    holdRequests(false);
    holdResponses(false);
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
