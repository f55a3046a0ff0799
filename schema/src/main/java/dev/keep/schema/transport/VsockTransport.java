package dev.keep.schema.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.util.Objects;

/**
 * AF_VSOCK stream sockets (vsock(7)), the only channel between a Nitro Enclave and its parent
 * instance. The system calls go through the Foreign Function & Memory API ({@link LibC}), so the
 * JVM needs {@code --enable-native-access=ALL-UNNAMED} (otherwise it warns on first use).
 *
 * <p>In production the enclave calls {@link #listen(int) listen(ENCLAVE_PORT)} and the parent
 * calls {@link #connect(int, int) connect(ENCLAVE_CID, ENCLAVE_PORT)}. Errors are {@link
 * VsockException}s that name the call and the errno. Unlike TCP, vsock port 0 is an ordinary port:
 * it does not ask the kernel to pick a free one.
 */
public final class VsockTransport {
  /** VMADDR_CID_LOCAL: this machine, through the vsock_loopback transport (tests). */
  public static final int CID_LOCAL = 1;

  /** VMADDR_CID_HOST: the parent, seen from inside an enclave or VM. */
  public static final int CID_HOST = 2;

  /** The enclave's CID in production, as given to {@code nitro-cli run-enclave --enclave-cid}. */
  public static final int ENCLAVE_CID = 16;

  /** The port the enclave listens on in production. */
  public static final int ENCLAVE_PORT = 5000;

  private static final int BACKLOG = 128;

  /** Largest native buffer one read or write call uses; bigger writes are sent in pieces. */
  private static final int MAX_CHUNK = 64 * 1024;

  private VsockTransport() {}

  /** Listens on {@code port} on whatever CID this machine has (VMADDR_CID_ANY). */
  public static Listener listen(int port) throws IOException {
    return listen(VsockAddress.any(port));
  }

  /** Listens on {@code port} of one CID of this machine, for example {@link #CID_LOCAL}. */
  public static Listener listen(int cid, int port) throws IOException {
    return listen(VsockAddress.of(cid, port));
  }

  /**
   * Connects to {@code cid}:{@code port}. The kernel gives up after its vsock connect timeout (2
   * seconds by default) with ETIMEDOUT; a port nobody listens on fails with ECONNRESET.
   */
  public static Connection connect(int cid, int port) throws IOException {
    VsockAddress remote = VsockAddress.of(cid, port);
    int fd = LibC.socket(LibC.AF_VSOCK, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
    try (Arena arena = Arena.ofConfined()) {
      LibC.connect("connect(" + remote + ")", fd, remote.toNative(arena));
    } catch (IOException | RuntimeException e) {
      LibC.closeQuietly(fd);
      throw e;
    }
    return new VsockConnection(fd, remote);
  }

  private static Listener listen(VsockAddress local) throws IOException {
    // Non-blocking, so that accept(2) after poll(2) cannot block if another thread took the
    // connection first; accept() waits in poll(2) instead, where close() can wake it.
    int fd =
        LibC.socket(
            LibC.AF_VSOCK, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
    int wakeFd = -1;
    try (Arena arena = Arena.ofConfined()) {
      LibC.bind("bind(" + local + ")", fd, local.toNative(arena));
      LibC.listen("listen(" + local + ")", fd, BACKLOG);
      wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
      return new VsockListener(fd, wakeFd, local);
    } catch (IOException | RuntimeException e) {
      LibC.closeQuietly(fd);
      if (wakeFd >= 0) {
        LibC.closeQuietly(wakeFd);
      }
      throw e;
    }
  }

  /**
   * A listening socket plus an eventfd(2) that {@link #close()} writes to. Linux does not wake a
   * vsock accept(2) on shutdown(2) (a listening vsock socket answers ENOTCONN) nor on close(2)
   * from another thread, so accept() polls both descriptors and the eventfd is the way out.
   */
  private static final class VsockListener implements Listener {
    private final int fd;
    private final int wakeFd;
    private final VsockAddress local;
    private final FdGuard guard;

    VsockListener(int fd, int wakeFd, VsockAddress local) {
      this.fd = fd;
      this.wakeFd = wakeFd;
      this.local = local;
      this.guard = new FdGuard("vsock listener " + local, this::wake, this::release);
    }

    @Override
    public Connection accept() throws IOException {
      guard.enter();
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment pollFds = LibC.pollForInput(arena, fd, wakeFd);
        MemorySegment peer = arena.allocate(VsockAddress.LAYOUT);
        MemorySegment peerLength = arena.allocate(JAVA_INT);
        while (true) {
          LibC.poll("poll(" + local + ")", pollFds, 2, -1);
          if (guard.isClosed()) {
            throw new SocketException("vsock listener " + local + " is closed");
          }
          peerLength.set(JAVA_INT, 0, (int) VsockAddress.LAYOUT.byteSize());
          try {
            int connection =
                LibC.accept4("accept(" + local + ")", fd, peer, peerLength, LibC.SOCK_CLOEXEC);
            return new VsockConnection(connection, VsockAddress.fromNative(peer));
          } catch (VsockException e) {
            if (e.errno() != LibC.EAGAIN) {
              throw e;
            }
            // Another thread accepted the connection poll reported; wait for the next one.
          }
        }
      } finally {
        guard.exit();
      }
    }

    @Override
    public String address() {
      return local.toString();
    }

    @Override
    public void close() throws IOException {
      guard.close();
    }

    private void wake() throws IOException {
      try (Arena arena = Arena.ofConfined()) {
        // The eventfd stays readable from now on, so every current and later poll returns.
        LibC.write("write(eventfd)", wakeFd, arena.allocateFrom(JAVA_LONG, 1L));
      }
    }

    private void release() throws IOException {
      try {
        LibC.close("close(" + local + ")", fd);
      } finally {
        LibC.closeQuietly(wakeFd);
      }
    }
  }

  /** A connected stream socket; both streams close the connection, like a {@code Socket}'s. */
  private static final class VsockConnection implements Connection {
    private final int fd;
    private final String peer;
    private final FdGuard guard;
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    VsockConnection(int fd, VsockAddress peer) {
      this.fd = fd;
      this.peer = peer.toString();
      this.guard = new FdGuard("vsock connection to " + peer, this::wake, this::release);
    }

    @Override
    public InputStream input() {
      return input;
    }

    @Override
    public OutputStream output() {
      return output;
    }

    @Override
    public String peer() {
      return peer;
    }

    @Override
    public void close() throws IOException {
      guard.close();
    }

    /** shutdown(2) makes a recv or send blocked in another thread return. */
    private void wake() throws IOException {
      try {
        LibC.shutdown("shutdown(" + peer + ")", fd, LibC.SHUT_RDWR);
      } catch (VsockException e) {
        if (e.errno() != LibC.ENOTCONN) {
          throw e;
        }
        // The peer already closed or reset the connection; nothing is left to wake.
      }
    }

    private void release() throws IOException {
      LibC.close("close(" + peer + ")", fd);
    }

    private final class Input extends InputStream {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        guard.enter();
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment buffer = arena.allocate(Math.min(len, MAX_CHUNK));
          int n = (int) LibC.recv("recv(" + peer + ")", fd, buffer, 0);
          if (n == 0) {
            if (guard.isClosed()) {
              // Our own close() shut the socket down under this read; that is not the peer's EOF.
              throw new SocketException("vsock connection to " + peer + " is closed");
            }
            return -1;
          }
          MemorySegment.copy(buffer, JAVA_BYTE, 0, b, off, n);
          return n;
        } finally {
          guard.exit();
        }
      }

      @Override
      public void close() throws IOException {
        VsockConnection.this.close();
      }
    }

    private final class Output extends OutputStream {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return;
        }
        guard.enter();
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment buffer = arena.allocate(Math.min(len, MAX_CHUNK));
          for (int done = 0; done < len; ) {
            int chunk = Math.min(len - done, MAX_CHUNK);
            MemorySegment.copy(b, off + done, buffer, JAVA_BYTE, 0, chunk);
            // send(2) may take fewer bytes than offered; loop until the whole chunk is out.
            for (long sent = 0; sent < chunk; ) {
              MemorySegment rest = buffer.asSlice(sent, chunk - sent);
              sent += LibC.send("send(" + peer + ")", fd, rest, LibC.MSG_NOSIGNAL);
            }
            done += chunk;
          }
        } finally {
          guard.exit();
        }
      }

      @Override
      public void close() throws IOException {
        VsockConnection.this.close();
      }
    }
  }
}
