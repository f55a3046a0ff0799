package dev.keep.worker.sealing;

import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.SealedBlob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sealed blobs in a directory, for the operator CLI's local mode, where no DynamoDB runs between
 * commands: {@code <keyId>.key.json} and {@code <keyId>.state.json}. The blobs are the same
 * KMS-sealed blobs the {@code keys} table holds; only the shelf differs. Files are written to a
 * temporary name and renamed, so a crash leaves the old blob or the new one.
 */
public final class DirectorySealedKeys implements SealedKeyStore {
  private final Path dir;

  public DirectorySealedKeys(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system; the blobs are sealed anyway.
    }
  }

  @Override
  public synchronized void createKey(SealedBlob key, String publicKey) throws SealedStoreException {
    Path file = dir.resolve(key.keyId() + ".key.json");
    if (Files.exists(file)) {
      throw new SealedStoreException("keyId: '" + key.keyId() + "' is already in " + dir, true, null);
    }
    write(file, key);
  }

  @Override
  public synchronized void updateKey(SealedBlob key) throws SealedStoreException {
    write(dir.resolve(key.keyId() + ".key.json"), key);
  }

  @Override
  public synchronized void putState(SealedBlob state) throws SealedStoreException {
    Path file = dir.resolve(state.keyId() + ".state.json");
    if (Files.exists(file) && read(file).sequence() >= state.sequence()) {
      return; // a newer state is stored already
    }
    write(file, state);
  }

  @Override
  public synchronized java.util.Optional<SealedBlob> state(String keyId) throws SealedStoreException {
    Path file = dir.resolve(keyId + ".state.json");
    return Files.exists(file) ? java.util.Optional.of(read(file)) : java.util.Optional.empty();
  }

  @Override
  public synchronized boolean replaceState(SealedBlob next, SealedBlob base) throws SealedStoreException {
    java.util.Optional<SealedBlob> current = state(next.keyId());
    if (!current.equals(java.util.Optional.ofNullable(base))) {
      return false;
    }
    write(dir.resolve(next.keyId() + ".state.json"), next);
    return true;
  }

  @Override
  public synchronized List<Stored> all() throws SealedStoreException {
    List<Stored> stored = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path key : files.filter(f -> f.getFileName().toString().endsWith(".key.json")).sorted().toList()) {
        String id = key.getFileName().toString().replaceFirst("\\.key\\.json$", "");
        Path state = dir.resolve(id + ".state.json");
        stored.add(new Stored(id, read(key), Files.exists(state) ? read(state) : null));
      }
    } catch (IOException e) {
      throw new SealedStoreException("reading " + dir + ": " + e.getMessage(), e);
    }
    return stored;
  }

  @Override
  public String describe() {
    return "directory " + dir;
  }

  private static SealedBlob read(Path file) throws SealedStoreException {
    try {
      return DynamoDbSealedKeys.read(Files.readString(file), file.getFileName().toString());
    } catch (IOException e) {
      throw new SealedStoreException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  private void write(Path file, SealedBlob blob) throws SealedStoreException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(temp, Json.write(blob), StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new SealedStoreException("writing " + file + ": " + e.getMessage(), e);
    }
  }
}
