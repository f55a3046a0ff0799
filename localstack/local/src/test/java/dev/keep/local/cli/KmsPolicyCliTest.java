package dev.keep.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.attestation.LocalNsm;
import dev.keep.enclave.attestation.LocalPcrs;
import dev.keep.enclave.nsm.NsmClient;
import dev.keep.schema.attestation.TrustedRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyEncryptionMechanism;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * {@code keep enclave kms-policy}: the JSON it prints, its errors, and that the policy, put on a
 * key of Keep's KMS endpoint, lets exactly the enclaves with those PCRs have data keys.
 */
class KmsPolicyCliTest {
  private static final String ROLE = "arn:aws:iam::111122223333:role/keep-enclave-host";
  private static final String ADMIN = "arn:aws:iam::111122223333:role/keep-admin";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private static LocalNitroAuthority authority;

  @TempDir Path dir;

  @BeforeAll
  static void authority() throws Exception {
    authority = LocalNitroAuthority.generate(RANDOM, Instant.now());
  }

  @Test
  void printsOneEnclaveStatementPerPcrSet() throws Exception {
    SortedMap<Integer, byte[]> current = build();
    SortedMap<Integer, byte[]> next = build();
    Path nitroCli = nitroCliOutput(current, "current.json");
    Path flat = flat(next, "next.json");

    Result result =
        run(
            "--pcrs",
            nitroCli.toString(),
            "--pcrs",
            flat.toString(),
            "--role-arn",
            ROLE,
            "--admin-arn",
            ADMIN);

    assertEquals(0, result.code, result.err);
    assertEquals("", result.err);
    JsonNode policy = new ObjectMapper().readTree(result.out);
    assertFalse(result.out.contains("${"), result.out);
    List<String> sids = new ArrayList<>();
    policy.get("Statement").forEach(statement -> sids.add(statement.get("Sid").asText()));
    assertEquals(
        List.of(
            "KeyAdministration", "EnclaveSealing1", "EnclaveSealing2", "DenyWithoutAttestation"),
        sids);

    JsonNode admin = policy.get("Statement").get(0);
    assertEquals(ADMIN, admin.get("Principal").get("AWS").asText());
    for (JsonNode action : admin.get("Action")) {
      String name = action.asText();
      for (String forbidden :
          List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant", "*")) {
        assertFalse(name.equals(forbidden) || name.endsWith("*"), "admin may " + name);
      }
    }
    for (int i = 0; i < 2; i++) {
      JsonNode enclave = policy.get("Statement").get(1 + i);
      SortedMap<Integer, byte[]> pcrs = i == 0 ? current : next;
      assertEquals(ROLE, enclave.get("Principal").get("AWS").asText());
      JsonNode pinned = enclave.get("Condition").get("StringEqualsIgnoreCase");
      for (int index = 0; index <= 2; index++) {
        assertEquals(
            HEX.formatHex(pcrs.get(index)),
            pinned.get("kms:RecipientAttestation:PCR" + index).asText());
      }
    }
    JsonNode deny = policy.get("Statement").get(3);
    assertEquals("Deny", deny.get("Effect").asText());
    assertEquals(
        "true",
        deny.get("Condition").get("Null").get("kms:RecipientAttestation:ImageSha384").asText());
  }

  @Test
  void thePolicyOnARealKey_allowsThoseMeasurementsOnly() throws Exception {
    SortedMap<Integer, byte[]> release = build();
    SortedMap<Integer, byte[]> rollout = build();
    Result result =
        run(
            "--pcrs",
            nitroCliOutput(release, "release.json").toString(),
            "--pcrs",
            flat(rollout, "rollout.json").toString(),
            "--role-arn",
            ROLE,
            "--admin-arn",
            ADMIN);
    assertEquals(0, result.code, result.err);

    try (KmsEndpoint kms =
            KmsEndpoint.builder().trustedRoot(TrustedRoot.local(authority.root())).start();
        KmsClient client = client(kms)) {
      String keyId = client.createKey(b -> b.description("keep sealing")).keyMetadata().keyId();
      client.putKeyPolicy(b -> b.keyId(keyId).policy(result.out));

      for (SortedMap<Integer, byte[]> allowed : List.of(release, rollout)) {
        GenerateDataKeyResponse sealed =
            client.generateDataKey(
                b ->
                    b.keyId(keyId)
                        .keySpec(DataKeySpec.AES_256)
                        .recipient(
                            r ->
                                r.attestationDocument(document(allowed))
                                    .keyEncryptionAlgorithm(
                                        KeyEncryptionMechanism.RSAES_OAEP_SHA_256)));
        assertNull(sealed.plaintext());
        assertTrue(sealed.ciphertextForRecipient().asByteArray().length > 0);
      }

      SortedMap<Integer, byte[]> otherImage = new TreeMap<>(release);
      otherImage.put(0, random48());
      KmsException denied =
          assertThrows(
              KmsException.class,
              () ->
                  client.generateDataKey(
                      b ->
                          b.keyId(keyId)
                              .keySpec(DataKeySpec.AES_256)
                              .recipient(r -> r.attestationDocument(document(otherImage)))));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      assertTrue(
          denied
              .awsErrorDetails()
              .errorMessage()
              .contains("kms:RecipientAttestation:PCR0 is " + HEX.formatHex(otherImage.get(0))),
          denied.awsErrorDetails().errorMessage());

      KmsException noAttestation =
          assertThrows(
              KmsException.class,
              () -> client.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)));
      assertTrue(
          noAttestation
              .awsErrorDetails()
              .errorMessage()
              .contains("explicitly in statement \"DenyWithoutAttestation\""),
          noAttestation.awsErrorDetails().errorMessage());
      // The admin statement still lets the key be managed.
      assertEquals(result.out, client.getKeyPolicy(b -> b.keyId(keyId)).policy());
    }
  }

  @Test
  void errorsNameTheFlag() throws Exception {
    String pcrs = flat(build(), "pcrs.json").toString();
    Path noPcr2 = dir.resolve("no-pcr2.json");
    Files.writeString(
        noPcr2,
        "{\"PCR0\": \"%s\", \"PCR1\": \"%s\"}"
            .formatted(HEX.formatHex(random48()), HEX.formatHex(random48())));
    String debug = flat(LocalPcrs.debug(), "debug.json").toString();
    Path notJson = Files.writeString(dir.resolve("not.json"), "PCR0=abc");

    record Case(int code, String expected, String... args) {}
    List<Case> cases =
        List.of(
            new Case(2, "--pcrs: required", "--role-arn", ROLE, "--admin-arn", ADMIN),
            new Case(2, "--role-arn: required", "--pcrs", pcrs, "--admin-arn", ADMIN),
            new Case(2, "--admin-arn: required", "--pcrs", pcrs, "--role-arn", ROLE),
            new Case(
                2, "--role-arn: needs a value", "--pcrs", pcrs, "--admin-arn", ADMIN, "--role-arn"),
            new Case(
                2,
                "--role-arn: 'keep-host' is not an IAM ARN",
                "--pcrs",
                pcrs,
                "--role-arn",
                "keep-host",
                "--admin-arn",
                ADMIN),
            new Case(
                2,
                "--admin-arn: given twice",
                "--pcrs",
                pcrs,
                "--role-arn",
                ROLE,
                "--admin-arn",
                ADMIN,
                "--admin-arn",
                ADMIN),
            new Case(
                2,
                "--admin-arn: must not be the --role-arn",
                "--pcrs",
                pcrs,
                "--role-arn",
                ROLE,
                "--admin-arn",
                ROLE),
            new Case(2, "unknown option '--pcr0'", "--pcr0", "00", "--pcrs", pcrs),
            new Case(
                1,
                "--pcrs " + dir.resolve("missing.json") + ": cannot be read",
                "--pcrs",
                dir.resolve("missing.json").toString(),
                "--role-arn",
                ROLE,
                "--admin-arn",
                ADMIN),
            new Case(
                1,
                "--pcrs " + notJson + ": not JSON",
                "--pcrs",
                notJson.toString(),
                "--role-arn",
                ROLE,
                "--admin-arn",
                ADMIN),
            new Case(
                1,
                "--pcrs " + noPcr2 + ": has no PCR2",
                "--pcrs",
                noPcr2.toString(),
                "--role-arn",
                ROLE,
                "--admin-arn",
                ADMIN),
            new Case(
                1,
                "--pcrs " + debug + ": PCR0, PCR1 and PCR2 are all zero",
                "--pcrs",
                debug,
                "--role-arn",
                ROLE,
                "--admin-arn",
                ADMIN),
            new Case(
                1,
                "the same PCR0..2 as --pcrs " + pcrs,
                "--pcrs",
                pcrs,
                "--pcrs",
                pcrs,
                "--role-arn",
                ROLE,
                "--admin-arn",
                ADMIN));

    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Result result = run(c.args);
      if (result.code != c.code
          || !result.err.startsWith("keep: enclave kms-policy: ")
          || !result.err.contains(c.expected)
          || !result.out.isEmpty()) {
        failures.add(String.join(" ", c.args) + " -> " + result.code + " " + result.err);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void helpPrintsUsage() {
    Result result = run("--help");
    assertEquals(0, result.code);
    assertTrue(result.out.startsWith("usage: keep enclave kms-policy --pcrs FILE"), result.out);
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        KmsPolicyCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The PCRs of a production build: PCR0..2 random, the rest zero, as the local NSM has them. */
  private static SortedMap<Integer, byte[]> build() {
    SortedMap<Integer, byte[]> pcrs = new TreeMap<>(LocalPcrs.debug());
    for (int index = 0; index <= 2; index++) {
      pcrs.put(index, random48());
    }
    return pcrs;
  }

  private static byte[] random48() {
    byte[] value = new byte[LocalPcrs.LENGTH];
    RANDOM.nextBytes(value);
    return value;
  }

  /** The JSON {@code nitro-cli build-enclave} prints for a build. */
  private Path nitroCliOutput(SortedMap<Integer, byte[]> pcrs, String name) throws IOException {
    return Files.writeString(
        dir.resolve(name),
        """
        {
          "Measurements": {
            "HashAlgorithm": "Sha384 { ... }",
            "PCR0": "%s",
            "PCR1": "%s",
            "PCR2": "%s"
          }
        }
        """
            .formatted(
                HEX.formatHex(pcrs.get(0)),
                HEX.formatHex(pcrs.get(1)),
                HEX.formatHex(pcrs.get(2))));
  }

  private Path flat(SortedMap<Integer, byte[]> pcrs, String name) throws IOException {
    return Files.writeString(
        dir.resolve(name),
        "{\"PCR0\": \"%s\", \"PCR1\": \"%s\", \"PCR2\": \"%s\"}"
            .formatted(
                HEX.formatHex(pcrs.get(0)),
                HEX.formatHex(pcrs.get(1)),
                HEX.formatHex(pcrs.get(2))));
  }

  /** A real attestation document from local mode's software NSM, carrying a fresh RSA key. */
  private static SdkBytes document(SortedMap<Integer, byte[]> pcrs) {
    try {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048, RANDOM);
      LocalNsm nsm =
          new LocalNsm(
              authority,
              "i-0123456789abcdef0-enc0123456789abcdef",
              pcrs,
              RANDOM,
              Clock.systemUTC());
      return SdkBytes.fromByteArray(
          new NsmClient(nsm)
              .attestation(null, null, rsa.generateKeyPair().getPublic().getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KmsClient client(KmsEndpoint kms) {
    return KmsClient.builder()
        .endpointOverride(kms.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(Apache5HttpClient.create())
        .build();
  }
}
