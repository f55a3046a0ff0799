package dev.keep.schema.tables;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An instant as a DynamoDB sort key: ISO-8601 in UTC with exactly nine fraction digits, so that
 * string order is time order. {@link Instant#toString()} drops trailing zero digits, and then
 * "12:00:00Z" sorts after "12:00:00.5Z" ('Z' is above '.'): a job made exactly on a second would
 * list before one made half a second later.
 */
public final class SortableInstant {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private SortableInstant() {}

  public static String of(Instant instant) {
    return FORMAT.format(instant);
  }
}
