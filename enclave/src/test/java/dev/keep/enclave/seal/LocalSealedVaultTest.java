package dev.keep.enclave.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.KeyConfig;
import dev.keep.enclave.keys.KeyType;
import dev.keep.enclave.keys.Network;
import dev.keep.schema.encoding.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSealedVaultTest {
  private static final KeyConfig CONFIG = new KeyConfig(KeyType.SINGLE, Network.TESTNET, false);
  private static final byte[] SECRET =
      Hex.decode("sk", "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef");

  @TempDir Path dir;

  @Test
  void aStoredKeyComesBackAfterReopening_andIsNeverOnDiskInPlaintext() throws Exception {
    try (LocalSealedVault vault = LocalSealedVault.open(dir, new SecureRandom())) {
      vault.create(new KeyVault.Record("alice", CONFIG, false, "2026-11-24T00:00:00Z", SECRET.clone()));
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.endsWith("dev-master.key")).toList()) {
        byte[] content = Files.readAllBytes(file);
        String text = new String(content, StandardCharsets.ISO_8859_1);
        assertFalse(text.toLowerCase().contains(Hex.encode(SECRET)), file + " holds the key in hex");
        assertFalse(text.contains(new String(SECRET, StandardCharsets.ISO_8859_1)), file + " holds the key's bytes");
      }
    }
    try (LocalSealedVault vault = LocalSealedVault.open(dir, new SecureRandom())) {
      List<KeyVault.Record> records = vault.loadAll();
      assertEquals(1, records.size());
      assertEquals("alice", records.get(0).keyId());
      assertEquals(CONFIG, records.get(0).config());
      assertArrayEquals(SECRET, records.get(0).material());
    }
  }

  @Test
  void aTakenNameIsRefused_neverOverwritten() throws Exception {
    try (LocalSealedVault vault = LocalSealedVault.open(dir, new SecureRandom())) {
      vault.create(new KeyVault.Record("alice", CONFIG, false, "t", SECRET.clone()));
      VaultException e = assertThrows(VaultException.class,
          () -> vault.create(new KeyVault.Record("alice", CONFIG, false, "t", new byte[32])));
      assertTrue(e.keyExists());
      assertArrayEquals(SECRET, vault.loadAll().get(0).material());
    }
  }

  @Test
  void disablingIsSealed_andEditingTheFileMakesItFailToOpen() throws Exception {
    try (LocalSealedVault vault = LocalSealedVault.open(dir, new SecureRandom())) {
      vault.create(new KeyVault.Record("alice", CONFIG, false, "t", SECRET.clone()));
      vault.update(new KeyVault.Record("alice", CONFIG, true, "t", SECRET.clone()));
      assertTrue(vault.loadAll().get(0).disabled());
    }
    Path file = dir.resolve("keys/alice.sealed.json");
    String json = Files.readString(file);
    Files.writeString(file, json.replace("\"disabled\":true", "\"disabled\":false"));
    try (LocalSealedVault vault = LocalSealedVault.open(dir, new SecureRandom())) {
      VaultException e = assertThrows(VaultException.class, vault::loadAll);
      assertTrue(e.getMessage().contains("cannot be unsealed"), e.getMessage());
    }
  }

  @Test
  void aSecondProcessOnTheSameDirectoryIsTurnedAway() throws Exception {
    try (LocalSealedVault first = LocalSealedVault.open(dir, new SecureRandom())) {
      VaultException e = assertThrows(VaultException.class, () -> LocalSealedVault.open(dir, new SecureRandom()));
      assertTrue(e.getMessage().contains("in use by another Keep process"), e.getMessage());
    }
  }
}
