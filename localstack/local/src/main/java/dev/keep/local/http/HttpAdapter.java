package dev.keep.local.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keep.api.ApiHandler;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.schema.encoding.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * Plays API Gateway for the local stack: turns each HTTP request into an HTTP API payload 2.0
 * event, hands the event JSON to the Lambda handler's own entry point, and turns the response JSON
 * back into HTTP. Binds to loopback only.
 */
public final class HttpAdapter implements AutoCloseable {
  /** API Gateway's own payload limit. */
  private static final int MAX_BODY = 10 * 1024 * 1024;

  private final HttpServer server;
  private final ApiHandler handler;

  private HttpAdapter(HttpServer server, ApiHandler handler) {
    this.server = server;
    this.handler = handler;
  }

  public static HttpAdapter start(int port, ApiHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    HttpAdapter adapter = new HttpAdapter(server, handler);
    server.createContext("/", adapter::serve);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return adapter;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        // API Gateway refuses a body over its own limit before any Lambda runs; so does the adapter.
        send(exchange, HttpApiResponse.problem(new dev.keep.api.http.ProblemException(
            dev.keep.api.http.ProblemType.PAYLOAD_TOO_LARGE, "body exceeds " + MAX_BODY + " bytes").problem(null),
            java.util.Map.of()));
        return;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      handler.handleRequest(new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(toEvent(exchange, body))), out, null);
      send(exchange, Json.MAPPER.readValue(out.toByteArray(), HttpApiResponse.class));
    }
  }

  private static ObjectNode toEvent(HttpExchange exchange, byte[] body) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    String path = exchange.getRequestURI().getRawPath();
    event.put("version", "2.0");
    event.put("routeKey", "$default");
    event.put("rawPath", path);
    event.put("rawQueryString", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
    ObjectNode headers = event.putObject("headers");
    for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
      // API Gateway v2 lower-cases names and joins repeated headers with commas.
      headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), String.join(",", h.getValue()));
    }
    ObjectNode context = event.putObject("requestContext");
    context.put("requestId", UUID.randomUUID().toString());
    context.put("timeEpoch", System.currentTimeMillis());
    ObjectNode http = context.putObject("http");
    http.put("method", exchange.getRequestMethod());
    http.put("path", path);
    http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
    if (body.length > 0) {
      String text = utf8(body);
      event.put("isBase64Encoded", text == null);
      event.put("body", text != null ? text : Base64.getEncoder().encodeToString(body));
    } else {
      event.put("isBase64Encoded", false);
    }
    return event;
  }

  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    return body.length > MAX_BODY ? null : body;
  }

  private static void send(HttpExchange exchange, HttpApiResponse response) throws IOException {
    byte[] bytes = response.body() == null ? new byte[0]
        : response.isBase64Encoded() ? Base64.getDecoder().decode(response.body())
        : response.body().getBytes(StandardCharsets.UTF_8);
    if (response.headers() != null) {
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    }
    exchange.sendResponseHeaders(response.statusCode(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
