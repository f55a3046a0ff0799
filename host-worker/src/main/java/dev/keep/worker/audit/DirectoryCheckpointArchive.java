package dev.keep.worker.audit;

import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Checkpoints as files, {@code DIR/tenant/bootId/seq.json}, never overwritten: the local stand-in
 * for S3 Object Lock. It protects nothing from the machine's own administrator; it gives a local
 * run the same shape (a place apart from DynamoDB) and lets {@code keep audit verify} be shown
 * catching a truncated tail.
 */
public final class DirectoryCheckpointArchive implements CheckpointArchive {
  private final Path root;

  public DirectoryCheckpointArchive(Path root) {
    this.root = root;
  }

  @Override
  public void archive(Checkpoint.Signed checkpoint) throws IOException {
    String name = CheckpointArchive.name(checkpoint.checkpoint());
    if (name.contains("..") || name.startsWith("/")) {
      throw new IOException("checkpoint: tenant '" + checkpoint.checkpoint().tenant() + "' cannot name a file");
    }
    Path file = root.resolve(name);
    Files.createDirectories(file.getParent());
    byte[] bytes = (Json.write(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      if (!Arrays.equals(Files.readAllBytes(file), bytes)) {
        throw new IOException("checkpoint " + name + " exists with other content; it is never overwritten");
      }
    }
  }

  @Override
  public String describe() {
    return "directory " + root;
  }
}
