package dev.keep.local.system;

import dev.keep.emulators.dynamodb.SharedMotoServer;
import dev.keep.local.stack.LocalStack;

/**
 * Local stacks for tests on this JVM's one moto server ({@link SharedMotoServer}), each with
 * tables of its own, so test classes do not each pay for starting Python and moto.
 * {@code PipelineSystemTest} and the soak run keep a server of their own, as {@code keep demo}
 * does, so that path stays tested.
 */
public final class TestStacks {
  private TestStacks() {}

  /** The default options, on the shared moto server, with tables named after {@code test}. */
  public static LocalStack.Options onSharedMoto(Class<?> test) {
    return LocalStack.Options.defaults()
        .withDynamoDb(SharedMotoServer.endpoint(), SharedMotoServer.tablePrefix(test.getSimpleName()));
  }
}
