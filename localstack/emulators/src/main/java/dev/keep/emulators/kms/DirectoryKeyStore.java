package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys and aliases as files in one directory, so that every endpoint process started on it sees the
 * same keys. The directory is the only copy: each lookup reads the file, so a key or alias another
 * process made is visible at once.
 *
 * <pre>
 *   kms-endpoint.json          {"region": ..., "accountId": ...}, fixed by the first start
 *   keys/&lt;key id&gt;.json         id, arn, account, creation date, description, state, policy,
 *                              and the AES-256 key material in base64, in the clear
 *   aliases/&lt;name&gt;.json        {"AliasName": "alias/...", "TargetKeyId": ...}; '/' in the
 *                              name is written %2F
 * </pre>
 *
 * Files are owner-only (0600, directories 0700) and written atomically: a temporary file in the
 * same directory, flushed to disk, then renamed over the target, so a reader sees the old file or
 * the new one, never half of one. A new alias is linked into place, which fails if the name exists,
 * so two processes cannot both create it. Concurrent policy changes to one key from two processes
 * are last-writer-wins. Key material on disk is not protected: this store is for local mode.
 */
final class DirectoryKeyStore implements KeyStore {
  static final int FORMAT = 1;

  private static final Pattern KEY_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern ALIAS_NAME = Pattern.compile("alias/[a-zA-Z0-9/_-]+");
  private static final String ENDPOINT_FILE = "kms-endpoint.json";

  private final Path keys;
  private final Path aliases;
  private final FileAttribute<?>[] ownerOnlyFile;

  private DirectoryKeyStore(Path keys, Path aliases, FileAttribute<?>[] ownerOnlyFile) {
    this.keys = keys;
    this.aliases = aliases;
    this.ownerOnlyFile = ownerOnlyFile;
  }

  /**
   * Opens {@code directory}, creating it if needed. A directory made by an endpoint with another
   * region or account is refused: its key ARNs would not be this endpoint's.
   *
   * @throws IllegalArgumentException when the directory belongs to another region or account
   * @throws UncheckedIOException when it cannot be created or read
   */
  static DirectoryKeyStore open(Path directory, String region, String accountId) {
    boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    // Owner-only, like an SSH key; a file system without POSIX permissions gets its defaults.
    FileAttribute<?>[] dirAttributes =
        posix
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
            }
            : new FileAttribute<?>[0];
    FileAttribute<?>[] fileAttributes =
        posix
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try {
      Files.createDirectories(directory, dirAttributes);
      Path keys = Files.createDirectories(directory.resolve("keys"), dirAttributes);
      Path aliases = Files.createDirectories(directory.resolve("aliases"), dirAttributes);
      DirectoryKeyStore store = new DirectoryKeyStore(keys, aliases, fileAttributes);
      store.claimOrCheck(directory.resolve(ENDPOINT_FILE), region, accountId);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("KMS key directory " + directory + " cannot be opened", e);
    }
  }

  @Override
  public Optional<KmsKey> key(String id) {
    // Ids come from requests and ciphertexts; only a UUID may become a file name.
    if (!KEY_ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return read(keys.resolve(id + ".json")).map(DirectoryKeyStore::toKey);
  }

  @Override
  public void put(KmsKey key) {
    write(keys.resolve(key.id() + ".json"), toJson(key));
  }

  @Override
  public Optional<String> aliasTarget(String aliasName) {
    if (!ALIAS_NAME.matcher(aliasName).matches()) {
      return Optional.empty();
    }
    return read(aliasFile(aliasName)).map(alias -> alias.get("TargetKeyId").textValue());
  }

  @Override
  public boolean createAlias(String aliasName, String keyId) {
    ObjectNode alias = KmsJson.object();
    alias.put("AliasName", aliasName);
    alias.put("TargetKeyId", keyId);
    Path temp = null;
    try {
      temp = flushedTemp(aliases, KmsJson.MAPPER.writeValueAsBytes(alias));
      // A hard link is created whole and fails if the name exists: create-if-absent, atomically.
      Files.createLink(aliasFile(aliasName), temp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("alias " + aliasName + " cannot be written", e);
    } finally {
      deleteQuietly(temp);
    }
  }

  private Path aliasFile(String aliasName) {
    return aliases.resolve(aliasName.replace("/", "%2F") + ".json");
  }

  private void claimOrCheck(Path file, String region, String accountId) throws IOException {
    ObjectNode owner = KmsJson.object();
    owner.put("format", FORMAT);
    owner.put("region", region);
    owner.put("accountId", accountId);
    Path temp = flushedTemp(file.getParent(), KmsJson.MAPPER.writeValueAsBytes(owner));
    try {
      Files.createLink(file, temp);
      return;
    } catch (FileAlreadyExistsException e) {
      // Made by an earlier start: it must be for the same region and account.
    } finally {
      deleteQuietly(temp);
    }
    JsonNode existing = KmsJson.MAPPER.readTree(Files.readAllBytes(file));
    if (!region.equals(existing.path("region").asText())
        || !accountId.equals(existing.path("accountId").asText())) {
      throw new IllegalArgumentException(
          "directory: "
              + file.getParent()
              + " holds keys of region "
              + existing.path("region").asText()
              + ", account "
              + existing.path("accountId").asText()
              + "; this endpoint is "
              + region
              + ", "
              + accountId);
    }
  }

  private Optional<ObjectNode> read(Path file) {
    try {
      return Optional.of((ObjectNode) KmsJson.MAPPER.readTree(Files.readAllBytes(file)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(file + " cannot be read", e);
    }
  }

  private void write(Path target, ObjectNode json) {
    Path temp = null;
    try {
      temp = flushedTemp(target.getParent(), KmsJson.MAPPER.writeValueAsBytes(json));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException(target + " cannot be written", e);
    } finally {
      deleteQuietly(temp);
    }
  }

  /** A new owner-only file in {@code dir} holding {@code bytes}, forced to disk. */
  private Path flushedTemp(Path dir, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(dir, ".tmp-", ".json", ownerOnlyFile);
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw e;
    }
    return temp;
  }

  private static void deleteQuietly(Path temp) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // A stray temporary file is harmless: nothing reads ".tmp-" files.
    }
  }

  private static ObjectNode toJson(KmsKey key) {
    ObjectNode json = KmsJson.object();
    json.put("format", FORMAT);
    json.put("id", key.id());
    json.put("arn", key.arn());
    json.put("accountId", key.accountId());
    json.put("creationDate", key.creationDate().toString());
    json.put("description", key.description());
    json.put("state", key.state().wireName());
    json.put("policy", key.policy().text());
    byte[] material = key.material().getEncoded();
    json.put("material", KmsJson.base64(material));
    Arrays.fill(material, (byte) 0);
    return json;
  }

  private static KmsKey toKey(ObjectNode json) {
    if (json.path("format").asInt() != FORMAT) {
      throw new IllegalStateException(
          "key "
              + json.path("id").asText()
              + ": file format "
              + json.path("format")
              + ", not "
              + FORMAT);
    }
    byte[] material = Base64.getDecoder().decode(json.get("material").textValue());
    SecretKeySpec secret = new SecretKeySpec(material, "AES");
    Arrays.fill(material, (byte) 0); // SecretKeySpec keeps its own copy
    return new KmsKey(
        json.get("id").textValue(),
        json.get("arn").textValue(),
        json.get("accountId").textValue(),
        Instant.parse(json.get("creationDate").textValue()),
        json.get("description").textValue(),
        KmsKey.KeyState.byWireName(json.get("state").textValue()),
        KeyPolicy.parse(json.get("policy").textValue()),
        secret);
  }
}
