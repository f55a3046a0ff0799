package dev.keep.enclave.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.keep.enclave.keys.KeyConfig;
import dev.keep.enclave.keys.KeyType;
import dev.keep.enclave.keys.Network;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Local mode's key vault: one file per key under {@code <dir>/keys/}, the secret sealed with
 * AES-256-GCM under a development master key kept in {@code <dir>/dev-master.key}.
 *
 * <p>This is not secure and says so: anyone who can read the directory can unseal the keys. It
 * exists so that local commands, each its own process, see the same keys, and so that no key is
 * ever written in plaintext. Every field of a record (name, configuration, disabled flag) is GCM
 * associated data, so editing a file makes it fail to open. Replacing a file with an older copy
 * of itself (re-enabling a disabled key) is not detected; the KMS-sealed production path keeps
 * records in DynamoDB and is a later issue.
 *
 * <p>One process at a time holds the directory: {@link #open} takes an exclusive file lock.
 */
public final class LocalSealedVault implements KeyVault, AutoCloseable {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String AAD_DOMAIN = "KEEP/local-sealed-key/v1";
  private static final String SUFFIX = ".sealed.json";
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .build();

  /** The file format of one sealed key. */
  record SealedFile(
      int v,
      String keyId,
      String type,
      String network,
      boolean allowDigests,
      boolean disabled,
      String createdAt,
      String nonce,
      String ciphertext) {}

  /** The file format of one key's sealed policy state. */
  record StateFile(int v, String keyId, String nonce, String ciphertext) {}

  private static final String STATE_AAD_DOMAIN = "KEEP/local-sealed-state/v1";
  private static final String STATE_SUFFIX = ".state.sealed.json";

  private final Path dir;
  private final Path keysDir;
  private final Path stateDir;
  private final byte[] masterKey;
  private final SecureRandom random;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private LocalSealedVault(
      Path dir, byte[] masterKey, SecureRandom random, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.keysDir = dir.resolve("keys");
    this.stateDir = dir.resolve("state");
    this.masterKey = masterKey;
    this.random = random;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) the vault in {@code dir} and locks it for this process. A second
   * process gets a {@link VaultException} saying the directory is in use.
   */
  public static LocalSealedVault open(Path dir, SecureRandom random) throws VaultException {
    FileChannel channel = null;
    try {
      Files.createDirectories(dir.resolve("keys"));
      Files.createDirectories(dir.resolve("state"));
      restrict(dir);
      restrict(dir.resolve("keys"));
      restrict(dir.resolve("state"));
      channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new VaultException(
            "the local key directory " + dir + " is in use by another Keep process; wait for it or stop it");
      }
      return new LocalSealedVault(dir, masterKey(dir.resolve("dev-master.key"), random), random, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new VaultException("cannot open the local key directory " + dir + ": " + e.getMessage(), false, e);
    }
  }

  private static byte[] masterKey(Path file, SecureRandom random) throws IOException, VaultException {
    if (!Files.exists(file)) {
      byte[] fresh = new byte[32];
      random.nextBytes(fresh);
      try {
        Files.write(file, fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        restrict(file);
      } catch (FileAlreadyExistsException raced) {
        // another process made it first; read theirs
      } finally {
        Arrays.fill(fresh, (byte) 0);
      }
    }
    byte[] key = Files.readAllBytes(file);
    if (key.length != 32) {
      Arrays.fill(key, (byte) 0);
      throw new VaultException("the development master key " + file + " is not 32 bytes; it was damaged");
    }
    return key;
  }

  @Override
  public void create(Record record) throws VaultException {
    Path target = fileOf(record.keyId());
    if (Files.exists(target)) {
      throw new VaultException("keyId: a key named '" + record.keyId() + "' exists; choose another name", true, null);
    }
    write(record, target, false);
  }

  @Override
  public void update(Record record) throws VaultException {
    Path target = fileOf(record.keyId());
    if (!Files.exists(target)) {
      throw new VaultException("keyId: no stored key named '" + record.keyId() + "'");
    }
    write(record, target, true);
  }

  private void write(Record record, Path target, boolean replace) throws VaultException {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    SealedFile header = header(record, "", "");
    byte[] ciphertext;
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      gcm.updateAAD(aad(header));
      ciphertext = gcm.doFinal(record.material());
    } catch (GeneralSecurityException e) {
      throw new VaultException("sealing key '" + record.keyId() + "' failed: " + e.getClass().getSimpleName(), false, e);
    }
    SealedFile sealed = header(record, Base64.getEncoder().encodeToString(nonce), Base64.getEncoder().encodeToString(ciphertext));
    try {
      Path tmp = Files.createTempFile(keysDir, "write-", ".partial");
      Files.write(tmp, JSON.writeValueAsBytes(sealed));
      restrict(tmp);
      try {
        if (replace) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new VaultException("storing key '" + record.keyId() + "' in " + keysDir + " failed: " + e.getMessage(), false, e);
    }
  }

  @Override
  public void storeState(String keyId, byte[] state) throws VaultException {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] ciphertext;
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      gcm.updateAAD(stateAad(keyId));
      ciphertext = gcm.doFinal(state);
    } catch (GeneralSecurityException e) {
      throw new VaultException("sealing the policy state of '" + keyId + "' failed: " + e.getClass().getSimpleName(), false, e);
    }
    StateFile file = new StateFile(1, keyId, Base64.getEncoder().encodeToString(nonce),
        Base64.getEncoder().encodeToString(ciphertext));
    try {
      Path tmp = Files.createTempFile(stateDir, "write-", ".partial");
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(file)));
        out.force(true); // the charge is on disk before the signature leaves the enclave
      }
      restrict(tmp);
      try {
        Files.move(tmp, stateDir.resolve(keyId + STATE_SUFFIX), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, stateDir.resolve(keyId + STATE_SUFFIX), StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new VaultException("storing the policy state of '" + keyId + "' failed: " + e.getMessage(), false, e);
    }
  }

  @Override
  public Map<String, byte[]> loadStates() throws VaultException {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.list(stateDir)) {
      for (Path path : files.filter(f -> f.getFileName().toString().endsWith(STATE_SUFFIX)).sorted().toList()) {
        StateFile file;
        try {
          file = JSON.readValue(path.toFile(), StateFile.class);
        } catch (IOException e) {
          throw new VaultException(path + ": not a sealed policy state (" + e.getClass().getSimpleName() + ")", false, e);
        }
        if (file.v() != 1 || !path.getFileName().toString().equals(file.keyId() + STATE_SUFFIX)) {
          throw new VaultException(path + ": version or key name does not match the file");
        }
        try {
          Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
          gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(masterKey, "AES"),
              new GCMParameterSpec(TAG_BITS, Base64.getDecoder().decode(file.nonce())));
          gcm.updateAAD(stateAad(file.keyId()));
          out.put(file.keyId(), gcm.doFinal(Base64.getDecoder().decode(file.ciphertext())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
          throw new VaultException(path + ": cannot be unsealed (edited, moved from another key, or another master key)", false, e);
        }
      }
    } catch (IOException e) {
      throw new VaultException("cannot list " + stateDir + ": " + e.getMessage(), false, e);
    }
    return out;
  }

  private static byte[] stateAad(String keyId) {
    return (STATE_AAD_DOMAIN + "\u0000" + keyId).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public List<Record> loadAll() throws VaultException {
    List<Record> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(keysDir)) {
      // A "*.partial" file is a write that did not finish; its key was never reported as made.
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
        out.add(read(file));
      }
    } catch (IOException e) {
      throw new VaultException("cannot list " + keysDir + ": " + e.getMessage(), false, e);
    }
    return out;
  }

  private Record read(Path file) throws VaultException {
    SealedFile sealed;
    try {
      sealed = JSON.readValue(file.toFile(), SealedFile.class);
    } catch (IOException e) {
      throw new VaultException(file + ": not a sealed key file (" + e.getClass().getSimpleName() + ")", false, e);
    }
    String expectedName = sealed.keyId() + SUFFIX;
    if (sealed.v() != 1 || !file.getFileName().toString().equals(expectedName)) {
      throw new VaultException(file + ": version or key name does not match the file");
    }
    try {
      KeyConfig config = new KeyConfig(
          KeyType.fromWireName(sealed.type()), Network.fromWireName(sealed.network()), sealed.allowDigests());
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(masterKey, "AES"),
          new GCMParameterSpec(TAG_BITS, Base64.getDecoder().decode(sealed.nonce())));
      gcm.updateAAD(aad(new SealedFile(1, sealed.keyId(), sealed.type(), sealed.network(),
          sealed.allowDigests(), sealed.disabled(), sealed.createdAt(), "", "")));
      byte[] material = gcm.doFinal(Base64.getDecoder().decode(sealed.ciphertext()));
      return new Record(sealed.keyId(), config, sealed.disabled(), sealed.createdAt(), material);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new VaultException(
          file + ": cannot be unsealed (edited, or sealed under another master key)", false, e);
    }
  }

  private static SealedFile header(Record r, String nonce, String ciphertext) {
    return new SealedFile(1, r.keyId(), r.config().type().wireName(), r.config().network().wireName(),
        r.config().allowDigests(), r.disabled(), r.createdAt(), nonce, ciphertext);
  }

  /** Every field but the nonce and ciphertext, length-prefixed so no two headers collide. */
  private static byte[] aad(SealedFile h) {
    String[] parts = {AAD_DOMAIN, h.keyId(), h.type(), h.network(), Boolean.toString(h.allowDigests()),
        Boolean.toString(h.disabled()), h.createdAt()};
    ByteBuffer out = ByteBuffer.allocate(4096);
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      out.putInt(bytes.length).put(bytes);
    }
    return Arrays.copyOf(out.array(), out.position());
  }

  private Path fileOf(String keyId) {
    return keysDir.resolve(keyId + SUFFIX);
  }

  @Override
  public String describe() {
    return dir + " (sealed under a local development master key; not secure)";
  }

  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    Arrays.fill(masterKey, (byte) 0);
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
  }

  private static void restrict(Path path) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
          Files.isDirectory(path) ? "rwx------" : "rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      // a filesystem without POSIX permissions; the files are still sealed
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }
}
