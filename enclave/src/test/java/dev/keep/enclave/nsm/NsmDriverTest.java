package dev.keep.enclave.nsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real FFM path: open(2), ioctl(2) and close(2) through {@link NsmLibC}. There is no NSM on a
 * build machine, so the ioctl is made on a regular file, which the kernel answers with ENOTTY.
 */
class NsmDriverTest {
  @TempDir Path dir;

  @Test
  void ioctlRequestCode_isIowrOfTheMagicAndThe32ByteStruct() {
    assertEquals(0xC0200A00L, NsmDriver.NSM_IOCTL_RAW);
  }

  @Test
  void open_missingPath_saysNotInAnEnclave() {
    Path missing = dir.resolve("nsm");
    var e = assertThrows(NsmException.SystemCallFailed.class, () -> NsmDriver.open(missing));
    assertEquals(NsmLibC.ENOENT, e.errno());
    assertTrue(
        e.getMessage().startsWith("no " + missing + ": not running inside a Nitro Enclave"),
        e.getMessage());
  }

  @Test
  void openIfPresent_withoutDevNsm_isEmpty() throws Exception {
    assumeFalse(Files.exists(NsmDriver.DEFAULT_PATH), "this machine has an NSM");
    assertTrue(NsmDriver.openIfPresent().isEmpty());
  }

  @Test
  void call_onARegularFile_failsWithEnotty() throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-device"));
    try (NsmDriver driver = NsmDriver.open(file)) {
      var e =
          assertThrows(
              NsmException.SystemCallFailed.class, () -> driver.call(NsmCodec.encodeGetRandom()));
      assertEquals(NsmLibC.ENOTTY, e.errno());
      assertEquals("ioctl(" + file + ", NSM_IOCTL_RAW)", e.call());
      assertTrue(e.getMessage().contains("ENOTTY (25)"), e.getMessage());
    }
  }

  @Test
  void concurrentCalls_onARegularFile_allFailCleanly() throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-device"));
    try (NsmDriver driver = NsmDriver.open(file);
        var pool = Executors.newFixedThreadPool(4)) {
      List<Future<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        calls.add(pool.submit(() -> driver.call(NsmCodec.encodeGetRandom())));
      }
      for (Future<byte[]> call : calls) {
        var e = assertThrows(ExecutionException.class, call::get);
        assertEquals(NsmLibC.ENOTTY, ((NsmException.SystemCallFailed) e.getCause()).errno());
      }
    }
  }

  @Test
  void call_afterClose_isAProgrammingError() throws Exception {
    NsmDriver driver = NsmDriver.open(Files.createFile(dir.resolve("f")));
    driver.close();
    driver.close(); // a second close does nothing
    assertThrows(IllegalStateException.class, () -> driver.call(NsmCodec.encodeGetRandom()));
  }

  @Test
  void call_withARequestTheDriverWouldRefuse_isAProgrammingError() throws Exception {
    try (NsmDriver driver = NsmDriver.open(Files.createFile(dir.resolve("f")))) {
      assertThrows(IllegalArgumentException.class, () -> driver.call(new byte[0]));
      assertThrows(
          IllegalArgumentException.class,
          () -> driver.call(new byte[NsmDevice.MAX_REQUEST_BYTES + 1]));
    }
  }

  @Test
  void open_aDirectory_reportsTheErrno() {
    // open(2) with O_RDWR on a directory fails with EISDIR (21).
    var e = assertThrows(NsmException.SystemCallFailed.class, () -> NsmDriver.open(dir));
    assertEquals(21, e.errno());
    assertEquals("open(" + dir + ")", e.call());
  }
}
