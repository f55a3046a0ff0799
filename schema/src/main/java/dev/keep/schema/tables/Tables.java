package dev.keep.schema.tables;

import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** The tables of ARCHITECTURE.md, loaded from their data files. */
public final class Tables {
  public static final TableDefinition JOBS = load("jobs");
  public static final TableDefinition AUDIT = load("audit");
  public static final TableDefinition TENANTS = load("tenants");
  public static final TableDefinition KEYS = load("keys");
  public static final TableDefinition BATCHES = load("batches");
  public static final TableDefinition IDEMPOTENCY = load("idempotency");
  public static final TableDefinition WEBHOOKS = load("webhooks");
  public static final TableDefinition DELIVERIES = load("deliveries");
  public static final TableDefinition RECEIPTS = load("receipts");
  public static final TableDefinition CHECKPOINTS = load("checkpoints");
  public static final TableDefinition ATTESTATIONS = load("attestations");

  public static final List<TableDefinition> ALL = List.of(JOBS, AUDIT, TENANTS, KEYS, BATCHES, IDEMPOTENCY, WEBHOOKS,
      DELIVERIES, RECEIPTS, CHECKPOINTS, ATTESTATIONS);

  private Tables() {}

  /** Every table of {@link #ALL}, in that order, named {@code prefix + name}. */
  public static List<TableDefinition> withPrefix(String prefix) {
    return ALL.stream().map(t -> t.withName(prefix + t.name())).toList();
  }

  private static TableDefinition load(String name) {
    String resource = "/keep/tables/" + name + ".json";
    try (InputStream in = Tables.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing table definition " + resource);
      }
      return Json.MAPPER.readValue(in, TableDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read table definition " + resource, e);
    }
  }
}
