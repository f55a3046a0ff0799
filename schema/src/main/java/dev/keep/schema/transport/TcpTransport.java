package dev.keep.schema.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback TCP, for local mode. It binds only to the loopback address: never a network port. */
public final class TcpTransport {
  private TcpTransport() {}

  /** Listens on loopback; {@code port} 0 picks a free one (see {@link Listener#address()}). */
  public static TcpListener listen(int port) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    return new TcpListener(server);
  }

  public static Connection connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    return new TcpConnection(socket);
  }

  /** A loopback TCP listener. */
  public static final class TcpListener implements Listener {
    private final ServerSocket server;

    private TcpListener(ServerSocket server) {
      this.server = server;
    }

    public int port() {
      return server.getLocalPort();
    }

    @Override
    public Connection accept() throws IOException {
      Socket socket = server.accept();
      socket.setTcpNoDelay(true);
      return new TcpConnection(socket);
    }

    @Override
    public String address() {
      return "tcp:127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private record TcpConnection(Socket socket, InputStream input, OutputStream output)
      implements Connection {
    TcpConnection(Socket socket) throws IOException {
      this(socket, socket.getInputStream(), socket.getOutputStream());
    }

    @Override
    public String peer() {
      return "tcp:" + socket.getRemoteSocketAddress();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
