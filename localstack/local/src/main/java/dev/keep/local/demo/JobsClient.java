package dev.keep.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client of the jobs API, as any client would write one. */
public final class JobsClient {
  /** An HTTP answer: status, parsed JSON body, and whether it was an idempotent replay. */
  public record Answer(int status, JsonNode body, boolean replayed) {
    public Answer(int status, JsonNode body) {
      this(status, body, false);
    }
  }

  // As long as a request's own timeout: on two cores, a test that starts an enclave JVM while it
  // opens 150 connections at once starves the client's selector for more than 5 s.
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  private final java.util.concurrent.atomic.AtomicLong gets = new java.util.concurrent.atomic.AtomicLong();
  private final String baseUrl;
  private final String apiKey;

  public JobsClient(String baseUrl, String apiKey) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
  }

  public Answer submit(String jsonBody) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
        .header("authorization", "Bearer " + apiKey)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  /** {@code POST /v1/policy/evaluate}: a dry run of {@code jsonBody}, a job body. */
  public Answer evaluate(String jsonBody) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/policy/evaluate"))
        .header("authorization", "Bearer " + apiKey)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  /** {@code POST /v1/batches} with an {@code Idempotency-Key}. */
  public Answer submitBatch(String jsonBody, String idempotencyKey) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/batches"))
        .header("authorization", "Bearer " + apiKey)
        .header("content-type", "application/json")
        .header("idempotency-key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  /** {@code GET /v1/batches/{id}}, or with {@code path} "/jobs?..." one page of its jobs. */
  public Answer batch(String batchId, String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/batches/" + batchId + path))
        .header("authorization", "Bearer " + apiKey).GET());
  }

  /** {@code GET /v1/jobs/{id}} calls so far: a polling client's own cost, told apart from a job's. */
  /** Any JSON POST, e.g. {@code /v1/webhooks}. */
  public Answer post(String path, String jsonBody) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Authorization", "Bearer " + apiKey)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  /** Any GET, e.g. a listing with its query. */
  public Answer getPath(String pathAndQuery) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
        .header("Authorization", "Bearer " + apiKey).GET());
  }

  public long gets() {
    return gets.get();
  }

  public Answer get(String jobId) throws IOException, InterruptedException {
    gets.incrementAndGet();
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs/" + jobId))
        .header("authorization", "Bearer " + apiKey).GET());
  }

  /**
   * When set (the build sets it for every test), each answer is checked against the OpenAPI
   * document, and one that is not described there fails the caller: the system tests check the
   * API's contract with every request they make.
   */
  static final boolean CONTRACT_CHECK = Boolean.getBoolean("keep.api.contractCheck");

  private Answer send(HttpRequest.Builder builder) throws IOException, InterruptedException {
    HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    // Over the tenant's rate: wait as long as the API says, as a client should, a few times.
    for (int retry = 0; retry < 5 && response.statusCode() == 429; retry++) {
      long seconds = response.headers().firstValue("retry-after").map(Long::parseLong).orElse(1L);
      Thread.sleep(Duration.ofSeconds(Math.min(10, Math.max(1, seconds))));
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    }
    if (CONTRACT_CHECK) {
      java.util.List<String> faults = dev.keep.schema.api.OpenApiDocument.validateResponse(request.method(),
          request.uri().getRawPath(), response.statusCode(), response.headers().firstValue("content-type").orElse(null),
          response.body());
      if (!faults.isEmpty()) {
        throw new IllegalStateException("an answer outside the OpenAPI document: " + faults);
      }
    }
    JsonNode body = response.body().isEmpty() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(response.body());
    return new Answer(response.statusCode(), body,
        response.headers().firstValue("idempotent-replayed").map("true"::equals).orElse(false));
  }
}
