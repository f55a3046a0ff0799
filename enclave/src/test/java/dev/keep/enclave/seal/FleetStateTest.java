package dev.keep.enclave.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.EnclaveService;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.protocol.SealedBlob;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Several enclaves, one key, one limit (issue #15). Each enclave holds the key; the host presents
 * the latest stored state with every request and stores the state that comes back only if the
 * stored one is still the one it presented (a compare-and-set, as DynamoDB's condition does).
 * A decision made on a state that lost the race is discarded and the job decided again.
 */
class FleetStateTest {
  private static final String LIMIT_5 = """
      {"version": 1, "rule": {"id": "root", "all": [
        {"id": "kinds", "type": "allowed_kinds", "kinds": ["message"]},
        {"id": "five", "type": "max_count", "window": "1h", "count": 5}]}}
      """;

  private final HostShelf host = new HostShelf();
  /** The stored state: the host's single source of truth, as the keys table is. */
  private SealedBlob stored;

  private static EnclaveService enclave(RecipientKey recipient) throws Exception {
    return new EnclaveService(KeyStore.open(new KmsSealedVault(recipient, new SecureRandom())),
        new Signer(new LibSecp256k1Engine(), new SecureRandom()), EnclaveMode.LOCAL);
  }

  /** One attempt: decided on {@code base}; stored only if the store still holds {@code base}. */
  private record Attempt(EnclaveResponse answer, Optional<SealedBlob> next) {}

  private Attempt decide(EnclaveService enclave, String job, SealedBlob base) {
    ResponseFrame frame = enclave.handle(RequestFrame.of("r", new EnclaveRequest.SignMessage(job, "k", "00ff", "bip340", null), base));
    return new Attempt(frame.body(), frame.sealed().stream().filter(b -> b.kind().equals(SealedBlob.STATE)).findFirst());
  }

  private boolean commit(SealedBlob base, Attempt attempt) {
    if (!stored.equals(base)) {
      return false; // ConditionalCheckFailed: another enclave stored first
    }
    attempt.next().ifPresent(s -> stored = s);
    return true;
  }

  @Test
  void aLimitHoldsAcrossEnclaves_whenEachDecisionIsOnTheStoredState() throws Exception {
    RecipientKey first = RecipientKey.generate(new SecureRandom());
    EnclaveService a = enclave(first);
    host.generate(a, first, new EnclaveRequest.GenerateKey("k", new EnclaveRequest.KeySpec("single", "testnet", false), LIMIT_5));
    stored = host.states.get("k");
    RecipientKey second = RecipientKey.generate(new SecureRandom());
    EnclaveService b = enclave(second);
    host.unsealAll(b, second);

    // Two enclaves race for every job: both decide on the same stored state, one commit wins.
    int signed = 0;
    int denied = 0;
    int retries = 0;
    for (int i = 0; i < 12; i++) {
      String job = "job-" + i;
      while (true) {
        SealedBlob base = stored;
        Attempt fromA = decide(a, job + "-a", base);
        Attempt fromB = decide(b, job + "-b", base);
        boolean aWon = commit(base, fromA);
        boolean bWon = commit(base, fromB);
        assertTrue(aWon, "the first commit on a fresh base wins");
        if (!bWon && fromB.next().isPresent()) {
          retries++; // B's allow was decided on a state that is no longer the stored one: discarded
        }
        if (fromA.answer() instanceof EnclaveResponse.SchnorrSigned) {
          signed++;
        } else {
          assertEquals(ErrorCode.POLICY_DENIED, assertInstanceOf(EnclaveResponse.Error.class, fromA.answer()).code());
          denied++;
        }
        break;
      }
    }
    assertEquals(5, signed, "exactly the policy's five, across two enclaves");
    assertEquals(7, denied);
    assertTrue(retries >= 5, "every allow B made on a stale state was discarded: " + retries);
    // Both enclaves, shown the stored state, report the same count.
    for (EnclaveService e : List.of(a, b)) {
      ResponseFrame shown = e.handle(RequestFrame.of("p", new EnclaveRequest.GetPolicy("k"), stored));
      assertEquals(5, assertInstanceOf(EnclaveResponse.PolicyInfo.class, shown.body()).signaturesLastHour());
    }
  }

  @Test
  void aStateSealedForAnotherKey_isRefused() throws Exception {
    RecipientKey recipient = RecipientKey.generate(new SecureRandom());
    EnclaveService a = enclave(recipient);
    var spec = new EnclaveRequest.KeySpec("single", "testnet", false);
    host.generate(a, recipient, new EnclaveRequest.GenerateKey("k", spec, LIMIT_5));
    host.generate(a, recipient, new EnclaveRequest.GenerateKey("other", spec, LIMIT_5));
    SealedBlob others = host.states.get("other");
    ResponseFrame moved = a.handle(RequestFrame.of("r", new EnclaveRequest.SignMessage("j", "k", "00", "bip340", null),
        others));
    assertEquals(ErrorCode.INVALID_REQUEST, assertInstanceOf(EnclaveResponse.Error.class, moved.body()).code());
    // The same blob with its header relabelled for 'k' does not open: the header is in the GCM data.
    SealedBlob relabelled = new SealedBlob(others.version(), others.kind(), "k", others.tenant(), others.sequence(),
        others.kmsKeyId(), others.dataKey(), others.nonce(), others.ciphertext());
    ResponseFrame forged = a.handle(RequestFrame.of("r", new EnclaveRequest.SignMessage("j", "k", "00", "bip340", null),
        relabelled));
    assertEquals(ErrorCode.SEALING_FAILED, assertInstanceOf(EnclaveResponse.Error.class, forged.body()).code());
    List<String> refused = new ArrayList<>();
    ResponseFrame health = a.handle(RequestFrame.of("h", new EnclaveRequest.Health(), host.states.get("k")));
    refused.add(assertInstanceOf(EnclaveResponse.Error.class, health.body()).message());
    assertTrue(refused.get(0).startsWith("state: a state is presented only with a request about its own key"), refused.get(0));
  }
}
