package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.seal.KeyVault;
import dev.keep.enclave.seal.VaultException;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
  public record Slot(Policy policy, MemoryCounters counters) {}

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

  /** Installs {@code policy} for {@code keyId}, keeping the charges already made. */
  public synchronized void install(String keyId, Policy policy) throws VaultException {
    Slot old = slots.get(keyId);
    List<Charge> charges = old == null ? List.of() : old.counters().charges();
    MemoryCounters fresh = MemoryCounters.restore(horizon(policy), charges);
    Slot slot = new Slot(policy, fresh);
    seal(keyId, slot);
    slots.put(keyId, slot);
  }

  /** The decision for {@code job} without charging: a dry run. */
  public Decision evaluate(String keyId, JobFacts job) {
    Slot slot = slots.get(keyId);
    return slot == null
        ? engine.evaluate(null, job, new MemoryCounters(java.time.Duration.ZERO))
        : engine.evaluate(slot.policy(), job, slot.counters());
  }

  /**
   * Decides {@code job} and, when allowed, charges it and seals the new counters before returning:
   * the signature that follows is paid for even if the enclave stops right after.
   */
  public Decision decideAndCharge(String keyId, JobFacts job) throws VaultException {
    Slot slot = slots.get(keyId);
    if (slot == null) {
      return engine.evaluate(null, job, new MemoryCounters(java.time.Duration.ZERO));
    }
    synchronized (slot.counters()) {
      boolean charged = slot.counters().isCharged(job.jobId());
      Decision decision = engine.evaluateAndCharge(slot.policy(), job, slot.counters());
      if (decision.allowed() && !charged) {
        seal(keyId, slot);
      }
      return decision;
    }
  }

  /**
   * Rewrites the key's whole state: the policy and every charge in the horizon, so the cost grows
   * with the charges kept (a day's at least). Skipped for a vault that keeps nothing.
   */
  private void seal(String keyId, Slot slot) throws VaultException {
    if (vault.persists()) {
      vault.storeState(keyId, encode(slot));
    }
  }

  private static java.time.Duration horizon(Policy policy) {
    return MemoryCounters.forPolicy(policy).horizon();
  }

  /** {"v":1,"policy":{...},"charges":[{"jobId":...,"at":...,"sats":...}]}. */
  private static byte[] encode(Slot slot) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("v", 1);
    try {
      root.set("policy", Json.MAPPER.readTree(slot.policy().canonicalJson()));
    } catch (IOException e) {
      throw new IllegalStateException("a parsed policy's canonical JSON parses", e);
    }
    ArrayNode charges = root.putArray("charges");
    for (Charge c : slot.counters().charges()) {
      charges.addObject().put("jobId", c.jobId()).put("at", c.at().toString()).put("sats", c.sats());
    }
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Slot decode(String keyId, byte[] bytes, Network network) throws VaultException {
    try {
      JsonNode root = Json.MAPPER.readTree(bytes);
      Policy policy = Policy.parse(root.get("policy").toString(), network);
      List<Charge> charges = new ArrayList<>();
      for (JsonNode c : root.get("charges")) {
        charges.add(new Charge(c.get("jobId").asText(), Instant.parse(c.get("at").asText()), c.get("sats").asLong()));
      }
      return new Slot(policy, MemoryCounters.restore(horizon(policy), charges));
    } catch (IOException | PolicyException | RuntimeException e) {
      throw new VaultException("policy state of '" + keyId + "' does not read back: " + e.getMessage(), false, e);
    }
  }
}
