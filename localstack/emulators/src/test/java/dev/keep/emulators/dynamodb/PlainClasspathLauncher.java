package dev.keep.emulators.dynamodb;

import java.io.IOException;

/**
 * Run in a child JVM by {@link PlainClasspathTest}: starts DynamoDB Local, prints its endpoint,
 * and stops when its stdin closes.
 */
public final class PlainClasspathLauncher {
  private PlainClasspathLauncher() {}

  public static void main(String[] args) throws IOException {
    try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(0)) {
      System.out.println("ENDPOINT " + db.endpoint());
      System.out.flush();
      while (System.in.read() != -1) {
        // Wait for the parent to close our stdin.
      }
    }
  }
}
