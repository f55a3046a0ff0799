package dev.keep.emulators;

import dev.keep.emulators.dynamodb.MotoServer;
import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.emulators.sqs.EmbeddedSqs;

/**
 * Run in a child JVM by {@link FreshJvmTest}: starts all three emulators, prints their endpoints
 * and moto's pid, and closes them when stdin closes; returning from main must then end the JVM.
 * With {@code --exit-without-close} it calls {@code System.exit} instead, leaving moto to the
 * shutdown hook.
 */
public final class FreshJvmLauncher {
  private FreshJvmLauncher() {}

  public static void main(String[] args) throws Exception {
    boolean exitWithoutClose = args.length > 0 && args[0].equals("--exit-without-close");
    try (EmbeddedSqs sqs = EmbeddedSqs.start(0);
        MotoServer moto = MotoServer.start();
        KmsEndpoint kms = KmsEndpoint.start(0)) {
      System.out.println("SQS " + sqs.endpoint());
      System.out.println("DYNAMODB " + moto.endpoint());
      System.out.println("MOTO_PID " + moto.pid());
      System.out.println("KMS " + kms.endpoint());
      System.out.println("READY");
      System.out.flush();
      while (System.in.read() != -1) {
        // Wait for the parent to close our stdin.
      }
      if (exitWithoutClose) {
        System.exit(0);
      }
    }
  }
}
