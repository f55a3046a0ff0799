package dev.keep.enclave.attestation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The PCRs the local software NSM reports, derived from the enclave build the way Nitro derives
 * them from the enclave image file (AWS Nitro Enclaves, "Where to get an enclave's
 * measurements"): PCR0 measures the whole image, PCR1 the kernel and boot ramdisk, PCR2 the
 * application. Locally:
 *
 * <ul>
 *   <li>PCR0 = SHA-384 of the enclave jar;
 *   <li>PCR1 = SHA-384 of the Java runtime's {@code release} file (the platform it boots on);
 *   <li>PCR2 = SHA-384 of "KEEP/local-pcr2" and PCR0 (the application, bound to the jar).
 * </ul>
 *
 * PCR3 to PCR15 are zero, as on an enclave without an IAM role or signing certificate. A
 * different jar gives different PCRs, which is what the KMS key policy's conditions test.
 */
public final class LocalPcrs {
  public static final int COUNT = 16;
  public static final int LENGTH = 48;

  private LocalPcrs() {}

  /** The PCRs of the build in {@code jar} (a jar, or a directory of classes), running on {@code javaHome}. */
  public static SortedMap<Integer, byte[]> ofBuild(Path jar, Path javaHome) throws IOException {
    byte[] pcr0 = sha384(jar);
    Path release = javaHome.resolve("release");
    byte[] pcr1 = Files.exists(release) ? sha384(release) : sha384Of("KEEP/local-pcr1/no-release-file");
    byte[] pcr2 = sha384Of("KEEP/local-pcr2", pcr0);
    SortedMap<Integer, byte[]> pcrs = zeros();
    pcrs.put(0, pcr0);
    pcrs.put(1, pcr1);
    pcrs.put(2, pcr2);
    return Collections.unmodifiableSortedMap(pcrs);
  }

  /** Debug mode: every PCR zero, as Nitro reports for an enclave started with --debug-mode. */
  public static SortedMap<Integer, byte[]> debug() {
    return Collections.unmodifiableSortedMap(zeros());
  }

  private static SortedMap<Integer, byte[]> zeros() {
    SortedMap<Integer, byte[]> pcrs = new TreeMap<>();
    for (int i = 0; i < COUNT; i++) {
      pcrs.put(i, new byte[LENGTH]);
    }
    return pcrs;
  }

  /**
   * A jar's bytes; for a directory of classes (a build run from {@code target/classes}), every
   * file's relative path and bytes in path order, so the same build measures the same.
   */
  private static byte[] sha384(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      MessageDigest digest = digest();
      digest.update("KEEP/local-pcr0/directory".getBytes(StandardCharsets.UTF_8));
      List<Path> files;
      try (var walk = Files.walk(file)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        digest.update(file.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(sha384(f));
      }
      return digest.digest();
    }
    MessageDigest digest = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return digest.digest();
  }

  private static byte[] sha384Of(String tag, byte[]... parts) {
    MessageDigest digest = digest();
    digest.update(tag.getBytes(StandardCharsets.UTF_8));
    for (byte[] p : parts) {
      digest.update(p);
    }
    return digest.digest();
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-384");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-384", e);
    }
  }
}
