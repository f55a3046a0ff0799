package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.seal.KeyVault;
import dev.keep.enclave.seal.VaultException;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each key's policy and counters, kept in the vault beside the key. Every change (a new policy, a
 * charge) is sealed and written before it takes effect outside, so a restart neither forgets a
 * policy nor gives back a charge. A key with no entry has no policy and signs nothing.
 *
 * <p>Trust that remains: the enclave cannot tell an old sealed state from the current one, so a
 * host that hands back an older state blob after a restart wins back the budget charged since.
 * KMS sealing proves where a blob came from, not that it is the newest; see the README's policy
 * section.
 */
public final class KeyPolicies {
  /** One key's policy and the counters it charges. */
  public record Slot(Policy policy, BucketCounters counters) {}

  private final KeyVault vault;
  private final PolicyEngine engine;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();

  private KeyPolicies(KeyVault vault, PolicyEngine engine) {
    this.vault = vault;
    this.engine = engine;
  }

  /**
   * Loads every key's state from {@code vault}. {@code networks} gives each key's network (the
   * policy's addresses are read for it); a state for a key the store does not hold is an error.
   */
  public static KeyPolicies load(KeyVault vault, PolicyEngine engine, Function<String, Optional<Network>> networks)
      throws VaultException {
    KeyPolicies book = new KeyPolicies(vault, engine);
    for (Map.Entry<String, byte[]> e : vault.loadStates().entrySet()) {
      Network network = networks.apply(e.getKey())
          .orElseThrow(() -> new VaultException("policy state for '" + e.getKey() + "', a key the vault does not hold"));
      book.slots.put(e.getKey(), decode(e.getKey(), e.getValue(), network));
    }
    return book;
  }

  /** Holds a policy state that was sealed before and has just been unsealed; nothing is sealed again. */
  public void restore(String keyId, byte[] state, Network network) throws VaultException {
    slots.put(keyId, decode(keyId, state, network));
  }

  /** Every key's policy, by key id: what the attestation's user data commits to. */
  public java.util.List<dev.keep.schema.protocol.EnclaveResponse.PolicyRef> refs() {
    return slots.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> new dev.keep.schema.protocol.EnclaveResponse.PolicyRef(
            e.getKey(), e.getValue().policy().version(), e.getValue().policy().hash().toHex()))
        .toList();
  }

  public Optional<Slot> find(String keyId) {
    return Optional.ofNullable(slots.get(keyId));
  }

  /**
   * Installs {@code policy} for {@code keyId}, keeping the charges already made: the counters do
   * not depend on the policy, so a new version's windows see the old version's signatures.
   */
  public synchronized void install(String keyId, Policy policy) throws VaultException {
    Slot old = slots.get(keyId);
    BucketCounters counters = old == null ? new BucketCounters() : BucketCounters.decode(old.counters().encode());
    Slot slot = new Slot(policy, counters);
    seal(keyId, slot);
    slots.put(keyId, slot);
  }

  /** The decision for {@code job} without charging: a dry run. */
  public Decision evaluate(String keyId, JobFacts job) {
    Slot slot = slots.get(keyId);
    return slot == null
        ? engine.evaluate(null, job, new BucketCounters())
        : engine.evaluate(slot.policy(), job, slot.counters());
  }

  /**
   * Decides {@code job} and, when allowed, charges it and seals the new counters before returning:
   * the signature that follows is paid for even if the enclave stops right after.
   */
  public Decision decideAndCharge(String keyId, JobFacts job) throws VaultException {
    Slot slot = slots.get(keyId);
    if (slot == null) {
      return engine.evaluate(null, job, new BucketCounters());
    }
    synchronized (slot.counters()) {
      Decision decision = engine.evaluateAndCharge(slot.policy(), job, slot.counters());
      if (decision.allowed()) {
        seal(keyId, slot);
      }
      return decision;
    }
  }

  /**
   * Seals the key's state: its policy and its counters, a few KiB beside the policy whatever the
   * key's history ({@link BucketCounters}). Skipped for a vault that keeps nothing.
   */
  private void seal(String keyId, Slot slot) throws VaultException {
    if (vault.persists()) {
      vault.storeState(keyId, encode(slot));
    }
  }

  /** Version of {@link #encode}'s layout. Version 1 was JSON listing every charge. */
  private static final int STATE_FORMAT = 2;

  /**
   * {@code u8 2 | u32 policy length | the policy's canonical JSON | the counters} (see {@link
   * BucketCounters#encode()}).
   */
  static byte[] encode(Slot slot) {
    byte[] policy = slot.policy().canonicalJson().getBytes(StandardCharsets.UTF_8);
    byte[] counters = slot.counters().encode();
    return ByteBuffer.allocate(1 + 4 + policy.length + counters.length)
        .put((byte) STATE_FORMAT).putInt(policy.length).put(policy).put(counters).array();
  }

  static Slot decode(String keyId, byte[] bytes, Network network) throws VaultException {
    try {
      if (bytes.length > 0 && bytes[0] == '{') {
        return decodeVersion1(bytes, network);
      }
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != STATE_FORMAT) {
        throw new IllegalArgumentException("unknown state format " + bytes[0]);
      }
      int policyLength = in.getInt();
      if (policyLength < 0 || policyLength > in.remaining()) {
        throw new IllegalArgumentException("policy length " + policyLength + " is past the end");
      }
      byte[] policy = new byte[policyLength];
      in.get(policy);
      byte[] counters = new byte[in.remaining()];
      in.get(counters);
      return new Slot(Policy.parse(new String(policy, StandardCharsets.UTF_8), network), BucketCounters.decode(counters));
    } catch (PolicyException | RuntimeException | IOException e) {
      throw new VaultException("policy state of '" + keyId + "' does not read back: " + e.getMessage(), false, e);
    }
  }

  /** A state sealed before the counters were bucketed: its charges are replayed into buckets. */
  private static Slot decodeVersion1(byte[] bytes, Network network) throws IOException, PolicyException {
    JsonNode root = Json.MAPPER.readTree(bytes);
    Policy policy = Policy.parse(root.get("policy").toString(), network);
    BucketCounters counters = new BucketCounters();
    for (JsonNode c : root.get("charges")) {
      counters.charge(Instant.parse(c.get("at").asText()), c.get("sats").asLong());
    }
    return new Slot(policy, counters);
  }
}
