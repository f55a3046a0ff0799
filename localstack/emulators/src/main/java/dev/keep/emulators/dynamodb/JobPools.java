package dev.keep.emulators.dynamodb;

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBClient;
import com.amazonaws.services.dynamodbv2.local.shared.jobs.JobsRegister;
import java.lang.reflect.Field;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops DynamoDB Local's background job threads at once.
 *
 * <p>DynamoDB Local shuts its job pool with {@code ExecutorService.shutdown()}, which does not
 * interrupt a running job. Its streams shard-rollover scheduler sleeps for minutes between runs in
 * a non-daemon pool thread, so after {@code close()} the JVM would not exit until that sleep ends.
 * The pools are private, with no accessor, so they are reached by reflection; {@link
 * JobsRegister#shutdownNow()} itself is public. Checked against DynamoDB Local 2.6.1: if an upgrade
 * renames the fields, this logs a warning and the only cost is the slow exit again.
 */
final class JobPools {
  private static final Logger LOG = LoggerFactory.getLogger(JobPools.class);

  private JobPools() {}

  static void stopNow(LocalDynamoDBRequestHandler requests) {
    try {
      for (Object database :
          ((Map<?, ?>) read(requests, LocalDynamoDBRequestHandler.class, "dbRequestHandlers"))
              .values()) {
        if (database instanceof LocalDBClient client) {
          ((JobsRegister) read(client, LocalDBClient.class, "jobs")).shutdownNow();
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("could not interrupt DynamoDB Local's job threads; JVM exit may be delayed", e);
    }
  }

  private static Object read(Object target, Class<?> owner, String name)
      throws ReflectiveOperationException {
    Field field = owner.getDeclaredField(name);
    field.setAccessible(true);
    return field.get(target);
  }
}
