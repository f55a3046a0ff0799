package dev.keep.emulators;

import dev.keep.emulators.dynamodb.EmbeddedDynamoDb;
import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.emulators.sqs.EmbeddedSqs;
import java.io.IOException;

/**
 * Run in a child JVM by {@link FreshJvmTest}: starts all three emulators, prints their endpoints,
 * and closes them when stdin closes. Returning from main must then end the JVM.
 */
public final class FreshJvmLauncher {
  private FreshJvmLauncher() {}

  public static void main(String[] args) throws IOException {
    try (EmbeddedSqs sqs = EmbeddedSqs.start(0);
        EmbeddedDynamoDb dynamoDb = EmbeddedDynamoDb.start(0);
        KmsEndpoint kms = KmsEndpoint.start(0)) {
      System.out.println("SQS " + sqs.endpoint());
      System.out.println("DYNAMODB " + dynamoDb.endpoint());
      System.out.println("KMS " + kms.endpoint());
      System.out.println("READY");
      System.out.flush();
      while (System.in.read() != -1) {
        // Wait for the parent to close our stdin.
      }
    }
  }
}
