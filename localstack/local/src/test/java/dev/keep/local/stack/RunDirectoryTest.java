package dev.keep.local.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #14: the stack's NSM root key was left in /tmp/keep-nitro-* after the stack stopped. */
class RunDirectoryTest {
  @TempDir Path runs;

  @Test
  void theDirectoryIsPrivate_andGoneWhenTheStackStops() throws Exception {
    RunDirectory dir = RunDirectory.create(runs);
    assertTrue(dir.path().startsWith(runs));
    assertTrue(dir.path().getFileName().toString().startsWith("stack-" + ProcessHandle.current().pid() + "-"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path())));
    Files.createDirectories(dir.path().resolve("nitro"));
    Files.writeString(dir.path().resolve("nitro/local-nitro-root.key"), "secret");
    dir.close();
    assertFalse(Files.exists(dir.path()));
  }

  @Test
  void aKilledStacksDirectory_isRemovedByTheNext_aLiveOnesIsKept() throws Exception {
    long dead = ProcessHandle.current().pid() + 1_000_000; // beyond any pid_max this machine uses
    Path abandoned = Files.createDirectories(runs.resolve("stack-" + dead + "-123/nitro"));
    Files.writeString(abandoned.resolve("local-nitro-root.key"), "secret");
    try (RunDirectory live = RunDirectory.create(runs); RunDirectory next = RunDirectory.create(runs)) {
      assertFalse(Files.exists(abandoned.getParent()), "the dead stack's directory was removed");
      assertTrue(Files.exists(live.path()), "a running stack's directory is left alone");
      assertTrue(Files.exists(next.path()));
    }
  }

  @Test
  void itLivesUnderKeepHome() {
    String home = System.getenv("KEEP_HOME");
    if (home != null && !home.isBlank()) {
      assertEquals(Path.of(home).toAbsolutePath(), RunDirectory.keepHome());
    } else {
      assertEquals(Path.of(System.getProperty("user.home"), ".keep").toAbsolutePath(), RunDirectory.keepHome());
    }
  }
}
