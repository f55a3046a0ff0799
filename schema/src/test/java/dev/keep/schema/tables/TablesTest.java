package dev.keep.schema.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TablesTest {
  @Test
  void everyTableLoads() {
    assertEquals(List.of("jobs", "audit", "tenants", "keys", "batches", "idempotency", "webhooks", "deliveries",
            "receipts", "checkpoints", "attestations"),
        Tables.ALL.stream().map(TableDefinition::name).toList());
    assertEquals(java.util.Optional.of("expiresAt"), Tables.IDEMPOTENCY.ttlAttribute());
    assertEquals("jobId", Tables.JOBS.partitionKey().name());
    assertEquals("apiKeyHash", Tables.TENANTS.partitionKey().name());
  }

  @Test
  void jobsHasTheSparsePendingIndexTheSweeperUses() {
    TableDefinition.Index pending = Tables.JOBS.globalSecondaryIndexes().stream()
        .filter(i -> i.name().equals("pending")).findFirst().orElseThrow();
    assertEquals(JobAttributes.PENDING_SHARD, pending.partitionKey().name());
    assertEquals(JobAttributes.CREATED_AT, pending.sortKey().name());
  }

  @Test
  void aPrefixRenamesEveryTableAndChangesNothingElse() {
    List<TableDefinition> prefixed = Tables.withPrefix("SomeTest-1-");
    assertEquals(List.of("SomeTest-1-jobs", "SomeTest-1-audit", "SomeTest-1-tenants", "SomeTest-1-keys",
            "SomeTest-1-batches", "SomeTest-1-idempotency", "SomeTest-1-webhooks", "SomeTest-1-deliveries",
            "SomeTest-1-receipts", "SomeTest-1-checkpoints", "SomeTest-1-attestations"),
        prefixed.stream().map(TableDefinition::name).toList());
    for (int i = 0; i < prefixed.size(); i++) {
      assertEquals(Tables.ALL.get(i), prefixed.get(i).withName(Tables.ALL.get(i).name()));
    }
    assertThrows(IllegalArgumentException.class, () -> Tables.JOBS.withName("jobs with spaces"));
  }

  @Test
  void invariantsAreCheckedAtConstruction() {
    assertThrows(IllegalArgumentException.class, () -> new TableDefinition.Attribute("x", "BOOL"));
    assertThrows(IllegalArgumentException.class,
        () -> new TableDefinition("ok-name", new TableDefinition.Attribute("k", "S"), null, null, "SOMETIMES", null));
  }
}
