package dev.keep.emulators.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where moto_server is looked for, in which order, and what is said when it is nowhere. */
class MotoExecutableTest {
  @TempDir Path home;

  private Map<String, String> env(Path... pathDirs) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    StringBuilder path = new StringBuilder();
    for (Path dir : pathDirs) {
      path.append(path.isEmpty() ? "" : File.pathSeparator).append(dir);
    }
    env.put("PATH", path.toString());
    return env;
  }

  private static Path moto(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("moto_server");
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void theOverrideWins_andAWrongOneIsAnErrorNotSkipped() throws Exception {
    Path onPath = moto(home.resolve("bin"));
    Path chosen = moto(home.resolve("elsewhere"));
    Map<String, String> env = env(onPath.getParent());
    env.put(MotoExecutable.OVERRIDE, chosen.toString());
    assertEquals(chosen, MotoExecutable.find(env, home).path());

    env.put(MotoExecutable.OVERRIDE, home.resolve("nope").toString());
    MotoNotFoundException e =
        assertThrows(MotoNotFoundException.class, () -> MotoExecutable.find(env, home));
    assertTrue(e.getMessage().startsWith("KEEP_MOTO_SERVER=" + home.resolve("nope")), e.getMessage());
  }

  @Test
  void pathComesFirst_thenPyenvVersionsNewestFirst_thenPyenvShims_thenKeepsVenv() throws Exception {
    Path shims = home.resolve(".pyenv/shims");
    Path bin = home.resolve("bin");
    Files.createDirectories(bin);
    Path venv = moto(home.resolve(".keep/moto-venv/bin"));
    assertEquals(venv, MotoExecutable.find(env(bin, shims), home).path());

    Path shim = moto(shims);
    assertEquals(shim, MotoExecutable.find(env(bin, shims), home).path());

    Path older = moto(home.resolve(".pyenv/versions/3.9.18/bin"));
    assertEquals(older, MotoExecutable.find(env(shims, bin), home).path(), "a version before the shim");
    Path newer = moto(home.resolve(".pyenv/versions/3.11.7/bin"));
    Files.createDirectories(home.resolve(".pyenv/versions/3.13.0/bin")); // a newer Python without moto
    assertEquals(newer, MotoExecutable.find(env(shims, bin), home).path(), "3.11.7 sorts after 3.9.18");

    Path first = moto(bin);
    assertEquals(first, MotoExecutable.find(env(shims, bin), home).path());
  }

  @Test
  void keepHomeAndPyenvRootAreHonoured() throws Exception {
    Map<String, String> env = env();
    env.put("KEEP_HOME", home.resolve("kh").toString());
    Path venv = moto(home.resolve("kh/moto-venv/bin"));
    assertEquals(venv, MotoExecutable.find(env, home).path());

    env.put("PYENV_ROOT", home.resolve("pr").toString());
    Path pyenv = moto(home.resolve("pr/versions/3.12.1/bin"));
    assertEquals(pyenv, MotoExecutable.find(env, home).path());
  }

  @Test
  void aFileThatIsNotExecutableIsPassedOver() throws Exception {
    Path bin = home.resolve("bin");
    Files.createDirectories(bin);
    Files.writeString(bin.resolve("moto_server"), "not a program");
    assertThrows(MotoNotFoundException.class, () -> MotoExecutable.find(env(bin), home));
  }

  @Test
  void nowhere_saysWhatIsMissingWhereItLookedAndTheOneCommandThatInstallsIt() {
    MotoNotFoundException e =
        assertThrows(MotoNotFoundException.class, () -> MotoExecutable.find(env(), home));
    String venv = home.resolve(".keep/moto-venv").toString();
    assertEquals(
        "python3 -m venv " + venv + " && " + venv + "/bin/pip install 'moto[server]=="
            + MotoExecutable.TESTED_VERSION + "'",
        e.installCommand());
    assertTrue(e.getMessage().startsWith("moto_server (moto's DynamoDB emulator"), e.getMessage());
    assertTrue(e.getMessage().contains("on PATH"), e.getMessage());
    assertTrue(e.getMessage().endsWith(". Install it with: " + e.installCommand()), e.getMessage());
  }
}
