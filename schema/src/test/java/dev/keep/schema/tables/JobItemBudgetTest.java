package dev.keep.schema.tables;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobItemBudgetTest {

  @Test
  void aLargeNostrEvent_isRefused_becauseItsSignedCopyWouldNotFitBesideIt() {
    // Issue #14's repro: a 240 KB event fit the body limit, was signed, then could not be stored.
    assertTrue(JobItemBudget.refusal("nostr_event", 240_000).isPresent());
    assertTrue(JobItemBudget.refusal("nostr_event", 150_000).isEmpty());
  }

  @Test
  void requestAndWorstCaseResult_fitOneItem_atTheLargestAcceptedSize() {
    for (String kind : new String[] {"message", "digest", "nostr_event", "psbt", "policy_evaluate"}) {
      long largest = 0;
      for (long size = 0; size <= JobItemBudget.ITEM_LIMIT_BYTES; size += 64) {
        if (JobItemBudget.refusal(kind, size).isEmpty()) {
          largest = size;
        }
      }
      long total = JobItemBudget.RESERVED_BYTES + largest + JobItemBudget.worstCaseResultBytes(kind, largest);
      assertTrue(total <= JobItemBudget.ITEM_LIMIT_BYTES, kind + ": " + total);
    }
  }

  @Test
  void aPsbtsResultBudget_isWhatTheItemHasLeft() {
    long request = 100_000;
    assertTrue(JobItemBudget.RESERVED_BYTES + request + JobItemBudget.resultBudget(request)
        == JobItemBudget.ITEM_LIMIT_BYTES);
  }
}
