package dev.keep.emulators.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.emulators.LocalAws;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.kms.KmsClient;

/** The bytes on the wire: what the SDK sends, and exactly what comes back. */
class KmsWireTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_11 = "application/x-amz-json-1.1";

  private static KmsEndpoint kms;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    kms = KmsEndpoint.start(0);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (kms != null) {
      kms.close();
    }
  }

  @Test
  void sdkSendsGenerateRandomAsThisProtocolExpects() {
    AtomicReference<SdkHttpRequest> sent = new AtomicReference<>();
    AtomicReference<String> sentBody = new AtomicReference<>();
    ExecutionInterceptor recorder =
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            sent.set(context.httpRequest());
            context
                .requestBody()
                .ifPresent(body -> sentBody.set(read(body.contentStreamProvider().newStream())));
          }
        };
    try (KmsClient client = LocalAws.kms(kms.endpoint(), recorder)) {
      assertEquals(
          32, client.generateRandom(b -> b.numberOfBytes(32)).plaintext().asByteArray().length);
    }

    SdkHttpRequest request = sent.get();
    assertEquals("POST", request.method().name());
    assertEquals("/", request.encodedPath().isEmpty() ? "/" : request.encodedPath());
    assertEquals(List.of("TrentService.GenerateRandom"), request.headers().get("X-Amz-Target"));
    assertEquals(List.of(JSON_11), request.headers().get("Content-Type"));
    assertEquals("{\"NumberOfBytes\":32}", sentBody.get());
  }

  @Test
  void generateRandomResponseOnTheWire() throws Exception {
    HttpResponse<String> response = post("TrentService.GenerateRandom", "{\"NumberOfBytes\":32}");

    assertEquals(200, response.statusCode());
    assertEquals(JSON_11, response.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(response.headers().firstValue("x-amzn-RequestId").isPresent());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(List.of("Plaintext"), iterable(body.fieldNames()));
    assertEquals(32, Base64.getDecoder().decode(body.get("Plaintext").textValue()).length);
  }

  @Test
  void notFoundErrorOnTheWire() throws Exception {
    HttpResponse<String> response =
        post(
            "TrentService.Encrypt",
            "{\"KeyId\":\"00000000-0000-0000-0000-000000000000\",\"Plaintext\":\"AA==\"}");

    assertEquals(400, response.statusCode());
    assertEquals(JSON_11, response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(
        "{\"__type\":\"NotFoundException\",\"message\":\"Key"
            + " 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000' does"
            + " not exist\"}",
        response.body());
  }

  @Test
  void accessDeniedErrorOnTheWire() throws Exception {
    String policy =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
            + "\"Action\":\"kms:PutKeyPolicy\",\"Resource\":\"*\"}}";
    HttpResponse<String> created =
        post("TrentService.CreateKey", JSON.createObjectNode().put("Policy", policy).toString());
    String arn = JSON.readTree(created.body()).get("KeyMetadata").get("Arn").textValue();

    HttpResponse<String> response =
        post("TrentService.Encrypt", "{\"KeyId\":\"" + arn + "\",\"Plaintext\":\"AA==\"}");

    assertEquals(400, response.statusCode());
    assertEquals(
        "{\"__type\":\"AccessDeniedException\",\"message\":\"kms:Encrypt on "
            + arn
            + " is not allowed: no statement of the key policy allows kms:Encrypt\"}",
        response.body());
  }

  @Test
  void malformedRequestsNameWhatIsWrong() throws Exception {
    assertError(send(Map.of(), "{}"), "UnknownOperationException", "X-Amz-Target");
    assertError(post("TrentService.Frobnicate", "{}"), "UnknownOperationException", "Frobnicate");
    assertError(post("Other.Encrypt", "{}"), "UnknownOperationException", "TrentService.");
    assertError(
        post("TrentService.Encrypt", "{\"Plaintext\":\"AA==\"}"), "ValidationException", "'KeyId'");
    assertError(
        post("TrentService.Encrypt", "{\"KeyId\":\"alias/x\",\"Plaintext\":\"***\"}"),
        "ValidationException",
        "'Plaintext'");
    assertError(
        post("TrentService.GenerateRandom", "{\"NumberOfBytes\":\"32\"}"),
        "ValidationException",
        "'NumberOfBytes'");
    assertError(
        post("TrentService.GenerateRandom", "{\"NumberOfBytes\":8,\"Recipient\":\"doc\"}"),
        "ValidationException",
        "'Recipient'");
    assertError(
        post(
            "TrentService.GenerateRandom",
            "{\"NumberOfBytes\":8,\"Recipient\":{\"AttestationDocument\":\"***\"}}"),
        "ValidationException",
        "'Recipient.AttestationDocument'");
    assertError(post("TrentService.GenerateRandom", "[1]"), "ValidationException", "'body'");
    assertError(
        post("TrentService.GenerateRandom", "{\"NumberOfBytes\":8,\"NumberOfBytes\":9}"),
        "ValidationException",
        "'body'");
    assertError(
        post(
            "TrentService.Encrypt",
            "{\"KeyId\":\"alias/x\",\"Plaintext\":\"AA==\",\"EncryptionContext\":{\"a\":1}}"),
        "ValidationException",
        "'EncryptionContext.a'");
    assertError(
        send(
            Map.of(
                "X-Amz-Target", "TrentService.GenerateRandom", "Content-Type", "application/json"),
            "{}"),
        "ValidationException",
        "Content-Type");
  }

  @Test
  void badJsonIsRefusedWithoutEchoingIt() throws Exception {
    String secret =
        Base64.getEncoder().encodeToString("the data key".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response =
        post(
            "TrentService.Encrypt", "{\"KeyId\":\"alias/x\",\"Plaintext\":\"" + secret + "\" oops");

    assertError(response, "ValidationException", "'body'");
    assertFalse(response.body().contains(secret), response.body());
  }

  @Test
  void getIsNotAnOperation() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(kms.endpoint().resolve("/"))
                .GET()
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(response, "UnknownOperationException", "POST");
  }

  private static void assertError(HttpResponse<String> response, String type, String mentioned)
      throws IOException {
    assertEquals(400, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(type, body.get("__type").textValue(), response.body());
    assertTrue(body.get("message").textValue().contains(mentioned), response.body());
  }

  private static HttpResponse<String> post(String target, String body) throws Exception {
    return send(Map.of("X-Amz-Target", target, "Content-Type", JSON_11), body);
  }

  private static HttpResponse<String> send(Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(kms.endpoint() + "/"))
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> list = new java.util.ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
