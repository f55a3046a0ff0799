package dev.keep.worker.enclave;

import dev.keep.schema.transport.TcpTransport;
import dev.keep.schema.transport.VsockTransport;

/**
 * Where the enclave listens: {@code vsock:CID:PORT} in production (CID 16, port 5000 by default
 * for Keep's enclave), or {@code tcp:PORT} on loopback in local mode.
 */
public sealed interface EnclaveAddress extends EnclaveClient.Connector {
  record Vsock(int cid, int port) implements EnclaveAddress {
    @Override
    public dev.keep.schema.transport.Connection connect() throws java.io.IOException {
      return VsockTransport.connect(cid, port);
    }

    @Override
    public String toString() {
      return "vsock:" + cid + ":" + port;
    }
  }

  record LoopbackTcp(int port) implements EnclaveAddress {
    @Override
    public dev.keep.schema.transport.Connection connect() throws java.io.IOException {
      return TcpTransport.connect(port);
    }

    @Override
    public String toString() {
      return "tcp:" + port;
    }
  }

  /** Parses {@code vsock:CID:PORT} or {@code tcp:PORT}; the error names the expected forms. */
  static EnclaveAddress parse(String text) {
    String[] parts = text == null ? new String[0] : text.split(":");
    try {
      if (parts.length == 3 && parts[0].equals("vsock")) {
        return new Vsock(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
      }
      if (parts.length == 2 && parts[0].equals("tcp")) {
        return new LoopbackTcp(Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException e) {
      // Fall through to the error below.
    }
    throw new IllegalArgumentException(
        "enclave address '" + text + "' must be vsock:CID:PORT (e.g. vsock:16:5000) or tcp:PORT");
  }
}
