package dev.keep.emulators.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer's paths that can run here without PyPI: an installation that fails says why and
 * gives the command to run by hand, and one that is not needed does nothing. (An installation
 * from PyPI cannot be tested on the build machines, which do not reach it.)
 */
class MotoInstallerTest {
  @TempDir Path home;

  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

  private PrintStream progress() {
    return new PrintStream(progress, true, StandardCharsets.UTF_8);
  }

  @Test
  void aPythonThatCannotMakeTheVenv_failsNamingTheStepAndTheCommandToRun() throws Exception {
    Path python = home.resolve("python3");
    Files.writeString(python, "#!/bin/sh\necho 'No module named venv' >&2\nexit 1\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> env = Map.of("HOME", home.toString(), "PATH", "");

    MotoNotFoundException e =
        assertThrows(
            MotoNotFoundException.class,
            () -> new MotoInstaller(env, home, python.toString()).findOrInstall(progress()));

    assertTrue(e.getMessage().startsWith("moto could not be installed: '" + python + " -m venv "), e.getMessage());
    assertTrue(e.getMessage().contains("exited with status 1"), e.getMessage());
    assertTrue(e.getMessage().contains("No module named venv"), e.getMessage());
    assertTrue(e.getMessage().endsWith("Install it with: " + MotoExecutable.installCommand(env, home)), e.getMessage());
    assertTrue(progress.toString(StandardCharsets.UTF_8).startsWith("keep: moto_server (moto, the local DynamoDB) is not installed; installing"));
  }

  @Test
  void noPythonAtAll_failsTheSameWay() {
    Map<String, String> env = Map.of("HOME", home.toString(), "PATH", "");
    MotoNotFoundException e =
        assertThrows(
            MotoNotFoundException.class,
            () -> new MotoInstaller(env, home, home.resolve("no-python").toString()).findOrInstall(progress()));
    assertTrue(e.getMessage().startsWith("moto could not be installed: cannot run '"), e.getMessage());
  }

  @Test
  void anInstalledMotoIsUsedAsItIs_andAWrongOverrideIsNotPapered() throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path moto = Files.writeString(bin.resolve("moto_server"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(moto, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> env = Map.of("HOME", home.toString(), "PATH", bin.toString());
    assertEquals(moto, new MotoInstaller(env, home, "python3").findOrInstall(progress()).path());

    Map<String, String> wrong = Map.of("HOME", home.toString(), "PATH", bin.toString(),
        MotoExecutable.OVERRIDE, home.resolve("typo").toString());
    assertThrows(MotoNotFoundException.class, () -> new MotoInstaller(wrong, home, "python3").findOrInstall(progress()));
    assertEquals("", progress.toString(StandardCharsets.UTF_8), "nothing was installed");
  }
}
