package dev.keep.emulators.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS JSON 1.1 wire protocol: {@code POST /}, the operation in {@code X-Amz-Target:
 * TrentService.<Operation>}, JSON in and out, and errors as {@code {"__type": ..., "message": ...}}
 * which the SDK turns into its typed exceptions. Signatures are not checked.
 */
final class KmsHttpHandler implements HttpHandler {
  static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  static final String TARGET_PREFIX = "TrentService.";
  // Far above any valid KMS request (the largest blob is 6 KiB), so memory stays bounded.
  private static final int MAX_BODY_BYTES = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(KmsHttpHandler.class);

  private final Map<String, KmsOperation> operations;

  KmsHttpHandler(Map<String, KmsOperation> operations) {
    this.operations = Map.copyOf(operations);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String requestId = UUID.randomUUID().toString();
      exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      int status;
      ObjectNode body;
      try {
        body = dispatch(exchange);
        status = 200;
      } catch (KmsException e) {
        status = e.error().httpStatus();
        body = error(e.error(), e.getMessage());
      } catch (RuntimeException e) {
        // Only our own code's bugs land here; their messages stay in the log, off the wire.
        LOG.warn("KMS request {} failed", requestId, e);
        status = KmsError.INTERNAL.httpStatus();
        body = error(KmsError.INTERNAL, "internal error, request " + requestId);
      }
      byte[] bytes = KmsJson.MAPPER.writeValueAsBytes(body);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private ObjectNode dispatch(HttpExchange exchange) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())
        || !"/".equals(exchange.getRequestURI().getPath())) {
      throw new KmsException(KmsError.UNKNOWN_OPERATION, "KMS accepts only POST /");
    }
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    if (target == null || !target.startsWith(TARGET_PREFIX)) {
      throw new KmsException(
          KmsError.UNKNOWN_OPERATION, "X-Amz-Target must be " + TARGET_PREFIX + "<Operation>");
    }
    String name = target.substring(TARGET_PREFIX.length());
    KmsOperation operation = operations.get(name);
    if (operation == null) {
      throw new KmsException(KmsError.UNKNOWN_OPERATION, "Unknown operation " + name);
    }
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType == null || !contentType.startsWith(CONTENT_TYPE)) {
      throw KmsException.validation("Content-Type", "Header must be " + CONTENT_TYPE);
    }
    return operation.handle(new KmsRequest(readObject(exchange.getRequestBody())));
  }

  private static ObjectNode readObject(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      throw KmsException.validation(
          "body", "Request body must be at most " + MAX_BODY_BYTES + " bytes");
    }
    if (bytes.length == 0) {
      return KmsJson.object();
    }
    JsonNode node;
    try {
      node = KmsJson.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the input, which may hold plaintext; say only where it broke.
      throw KmsException.validation(
          "body",
          "Request body must be JSON (error at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (node == null || !node.isObject()) {
      throw KmsException.validation("body", "Request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private static ObjectNode error(KmsError error, String message) {
    ObjectNode body = KmsJson.object();
    body.put("__type", error.wireName());
    if (message != null) {
      body.put("message", message);
    }
    return body;
  }
}
