package dev.keep.local.stack;

import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.attestation.LocalPcrs;
import java.io.IOException;
import java.util.HexFormat;
import java.util.SortedMap;
import dev.keep.schema.attestation.TrustedRoot;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** The local KMS endpoint as the local stack and the CLI's local mode use it. */
public final class LocalKms {
  private LocalKms() {}

  /**
   * Starts the endpoint trusting {@code root} for attestation documents, keeping its keys in
   * {@code dir} (or memory, when null).
   */
  public static KmsEndpoint start(TrustedRoot root, Path dir) {
    KmsEndpoint.Builder builder = KmsEndpoint.builder().port(0).trustedRoot(root);
    if (dir != null) {
      builder.directory(dir);
    }
    return builder.start();
  }

  /**
   * The PCRs a local enclave process started from this classpath reports: {@code LocalPcrs} over
   * the enclave's jar (or classes directory) and this Java runtime, which the process shares.
   */
  public static SortedMap<Integer, byte[]> thisBuildPcrs() throws IOException {
    try {
      Path code = Path.of(EnclaveMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return LocalPcrs.ofBuild(code, Path.of(System.getProperty("java.home")));
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
  }

  /**
   * A key policy in the shape of {@code enclave/build/kms-policy.json}: key management for anyone
   * (the endpoint has no IAM: every caller is the same principal), data keys only for a Recipient
   * whose PCR0, 1 and 2 are {@code pcrs}', and an explicit deny of data keys without a Recipient.
   */
  public static String enclavePolicy(SortedMap<Integer, byte[]> pcrs) {
    HexFormat hex = HexFormat.of();
    return """
        {"Version":"2012-10-17","Id":"keep-local","Statement":[
          {"Sid":"KeyAdministration","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},
           "Action":["kms:CreateAlias","kms:DescribeKey","kms:GetKeyPolicy","kms:PutKeyPolicy"],"Resource":"*"},
          {"Sid":"DataKeysForTheAttestedEnclave","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},
           "Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*",
           "Condition":{"StringEqualsIgnoreCase":{
             "kms:RecipientAttestation:PCR0":"%s","kms:RecipientAttestation:PCR1":"%s","kms:RecipientAttestation:PCR2":"%s"}}},
          {"Sid":"NoDataKeysWithoutAttestation","Effect":"Deny","Principal":"*",
           "Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*",
           "Condition":{"Null":{"kms:RecipientAttestation:ImageSha384":"true"}}}]}
        """.formatted(hex.formatHex(pcrs.get(0)), hex.formatHex(pcrs.get(1)), hex.formatHex(pcrs.get(2)));
  }

  /** Data keys only with a Recipient, from any enclave the root vouches for: the CLI's local data directory. */
  public static final String ANY_ATTESTED_ENCLAVE_POLICY = """
      {"Version":"2012-10-17","Id":"keep-local-cli","Statement":[
        {"Sid":"Everything","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},
        {"Sid":"NoDataKeysWithoutAttestation","Effect":"Deny","Principal":"*",
         "Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*",
         "Condition":{"Null":{"kms:RecipientAttestation:ImageSha384":"true"}}}]}
      """;

  public static KmsClient client(URI endpoint) {
    return KmsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
  }

  /**
   * The ARN of the key under {@code alias}, made with {@code policy} (null: the endpoint's default
   * policy) when there is none yet.
   */
  public static String keyFor(KmsClient kms, String alias, String policy) {
    try {
      return kms.describeKey(b -> b.keyId(alias)).keyMetadata().arn();
    } catch (NotFoundException e) {
      String arn = kms.createKey(b -> {
        b.description("Keep: seals the enclave's keys");
        if (policy != null) {
          b.policy(policy);
        }
      }).keyMetadata().arn();
      kms.createAlias(b -> b.aliasName(alias).targetKeyId(arn));
      return arn;
    }
  }
}
