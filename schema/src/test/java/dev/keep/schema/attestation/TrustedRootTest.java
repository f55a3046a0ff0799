package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrustedRootTest {
  @Test
  void awsNitro_isTheG1RootWithThePinnedFingerprint() {
    TrustedRoot root = TrustedRoot.awsNitro();

    assertTrue(root.isAwsNitro());
    assertEquals("641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b", root.fingerprint());
    assertEquals("CN=aws.nitro-enclaves,OU=AWS,O=Amazon,C=US", root.certificate().getSubjectX500Principal().getName());
    assertEquals(Instant.parse("2049-10-28T14:28:05Z"), root.certificate().getNotAfter().toInstant());
  }

  @Test
  void local_isNotAws_andMustBeACa() {
    DocumentForge forge = new DocumentForge();

    TrustedRoot root = TrustedRoot.local(DocumentForge.encoded(forge.root));
    assertFalse(root.isAwsNitro());
    assertTrue(root.toString().startsWith("local root \"CN=keep-test-root\""), root.toString());
    assertThrows(IllegalArgumentException.class, () -> TrustedRoot.local(forge.leaf));
    assertThrows(IllegalArgumentException.class, () -> TrustedRoot.local(new byte[] {1, 2}));
  }
}
