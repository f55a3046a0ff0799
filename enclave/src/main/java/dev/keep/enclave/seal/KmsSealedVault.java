package dev.keep.enclave.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.schema.encoding.Json;
import dev.keep.enclave.keys.KeyConfig;
import dev.keep.enclave.keys.KeyType;
import dev.keep.enclave.keys.Network;
import dev.keep.schema.protocol.DataKeyEnvelope;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.SealedBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps keys the one way Keep persists them: sealed under a KMS data key that only an enclave with
 * the right measurements gets back (ARCHITECTURE.md, "Keys and sealing").
 *
 * <p>The enclave has no disk and no network, so this vault writes nothing itself. What a request
 * seals (a new key, a disabled key, a policy state after a charge) collects in the handling
 * thread's outbox; the frame server drains it into the response frame, and the host stores the
 * blobs before it acts on the response. Loading is the reverse: the host sends each blob back with
 * KMS's {@code CiphertextForRecipient} in an {@code unseal_key} request ({@link #unseal}).
 *
 * <p>A key made without a data key (local mode only) is not sealed and lives in memory only.
 */
public final class KmsSealedVault implements KeyVault {
  private static final ObjectMapper JSON = Json.builder().build();

  /** One sealed key's data key and where its blobs come from. */
  private record Sealing(String tenant, String kmsKeyId, String dataKeyBlob, DataKey key, AtomicLong stateSequence,
      java.util.concurrent.atomic.AtomicReference<SealedBlob> head) {
    Sealing(String tenant, String kmsKeyId, String dataKeyBlob, DataKey key, long sequence, SealedBlob head) {
      this(tenant, kmsKeyId, dataKeyBlob, key, new AtomicLong(sequence), new java.util.concurrent.atomic.AtomicReference<>(head));
    }
  }

  /** What {@link #unseal} gives back: the key's record and its policy state, if it had one. */
  public record Unsealed(Record record, byte[] state) {}

  private final RecipientKey recipient;
  private final SecureRandom random;
  private final Map<String, Sealing> sealings = new ConcurrentHashMap<>();
  private final ThreadLocal<List<SealedBlob>> outbox = ThreadLocal.withInitial(ArrayList::new);

  public KmsSealedVault(RecipientKey recipient, SecureRandom random) {
    this.recipient = recipient;
    this.random = random;
  }

  public RecipientKey recipient() {
    return recipient;
  }

  /**
   * Opens the data key KMS made for {@code keyId} and holds it for the {@link #create} that
   * follows. Nothing is kept if the envelope does not open.
   */
  public void prepare(String keyId, String tenant, DataKeyEnvelope envelope) throws SealingException {
    DataKey key = recipient.openDataKey(decode("dataKey.ciphertextForRecipient", envelope.ciphertextForRecipient()));
    Sealing old = sealings.put(keyId, new Sealing(tenant, envelope.kmsKeyId(), envelope.ciphertextBlob(), key, 0, null));
    if (old != null) {
      old.key().close();
    }
  }

  /** Drops and wipes {@code keyId}'s data key: its creation failed. */
  public void forget(String keyId) {
    Sealing old = sealings.remove(keyId);
    if (old != null) {
      old.key().close();
    }
  }

  /** Whether {@code keyId} is sealed (and so survives a restart). */
  public boolean seals(String keyId) {
    return sealings.containsKey(keyId);
  }

  /** The blobs this thread's request sealed, in order; the outbox is left empty. */
  public List<SealedBlob> drain() {
    List<SealedBlob> blobs = List.copyOf(outbox.get());
    outbox.remove();
    return blobs;
  }

  /** Throws away what this thread sealed: its request failed, and the host must store none of it. */
  public void discard() {
    outbox.remove();
  }

  @Override
  public void create(Record record) {
    sealKey(record);
  }

  @Override
  public void update(Record record) {
    sealKey(record);
  }

  private void sealKey(Record record) {
    Sealing s = sealings.get(record.keyId());
    if (s == null) {
      return; // a memory-only key (local mode)
    }
    byte[] plaintext = encodeKey(record);
    try {
      outbox.get().add(BlobCipher.seal(
          new BlobCipher.Header(SealedBlob.KEY, record.keyId(), s.tenant(), 0, s.kmsKeyId(), s.dataKeyBlob()),
          s.key(), plaintext, random));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  @Override
  public void storeState(String keyId, byte[] state) {
    Sealing s = sealings.get(keyId);
    if (s == null) {
      return;
    }
    long sequence = s.stateSequence().incrementAndGet();
    SealedBlob blob = BlobCipher.seal(
        new BlobCipher.Header(SealedBlob.STATE, keyId, s.tenant(), sequence, s.kmsKeyId(), s.dataKeyBlob()),
        s.key(), state, random);
    s.head().set(blob);
    outbox.get().add(blob);
  }

  /** The tenant {@code keyId} was sealed for, as its sealed blobs say; empty for a key not held here. */
  public Optional<String> tenant(String keyId) {
    Sealing s = sealings.get(keyId);
    return s == null ? Optional.empty() : Optional.ofNullable(s.tenant());
  }

  /** The state this enclave last sealed or adopted for {@code keyId}: what it decides on. */
  public Optional<SealedBlob> head(String keyId) {
    Sealing s = sealings.get(keyId);
    return s == null ? Optional.empty() : Optional.ofNullable(s.head().get());
  }

  /**
   * Opens a state the host presents for {@code keyId} (the latest it stored, perhaps sealed by
   * another enclave of the fleet) and makes it this enclave's head: the next state is sealed with
   * the sequence after it. It must be sealed for this key, tenant and data key. The caller holds
   * the decrypted state and wipes it.
   */
  public byte[] adopt(String keyId, SealedBlob state) throws SealingException {
    Sealing s = sealings.get(keyId);
    if (s == null) {
      throw new SealingException("state: key '" + keyId + "' is not sealed here, so it has no state to adopt");
    }
    if (!state.keyId().equals(keyId) || !state.tenant().equals(s.tenant()) || !state.kmsKeyId().equals(s.kmsKeyId())
        || !state.dataKey().equals(s.dataKeyBlob())) {
      throw new SealingException("state: sealed for another key, tenant or data key than key '" + keyId + "'");
    }
    byte[] plain = BlobCipher.open(state, keyId, s.key());
    s.stateSequence().set(state.sequence());
    s.head().set(state);
    return plain;
  }

  /** Keys arrive through {@link #unseal}, one request each, not at construction. */
  @Override
  public List<Record> loadAll() {
    return List.of();
  }

  @Override
  public Map<String, byte[]> loadStates() {
    return Map.of();
  }

  @Override
  public String describe() {
    return "sealed with KMS data keys; the host stores the blobs";
  }

  /**
   * Opens a key the host kept, with the data key KMS re-encrypted to this enclave. The key and
   * state must both be sealed under that data key, for {@code request.keyId()}; nothing is held
   * unless everything opens.
   */
  public Unsealed unseal(EnclaveRequest.UnsealKey request) throws SealingException {
    SealedBlob key = request.key();
    if (!key.keyId().equals(request.keyId())) {
      throw new SealingException("key.keyId: the blob names '" + key.keyId() + "', but the host filed it under '"
          + request.keyId() + "'");
    }
    SealedBlob state = request.state();
    if (state != null && (!state.keyId().equals(key.keyId()) || !state.tenant().equals(key.tenant())
        || !state.dataKey().equals(key.dataKey()) || !state.kmsKeyId().equals(key.kmsKeyId()))) {
      throw new SealingException("state: sealed for another key, tenant or data key than key '" + request.keyId() + "'");
    }
    DataKey dataKey = recipient.openDataKey(decode("ciphertextForRecipient", request.ciphertextForRecipient()));
    byte[] keyPlain = null;
    byte[] statePlain = null;
    try {
      keyPlain = BlobCipher.open(key, request.keyId(), dataKey);
      Record record = decodeKey(request.keyId(), keyPlain);
      if (state != null) {
        statePlain = BlobCipher.open(state, request.keyId(), dataKey);
      }
      Sealing old = sealings.put(request.keyId(), new Sealing(key.tenant(), key.kmsKeyId(), key.dataKey(), dataKey,
          state == null ? 0 : state.sequence(), state));
      if (old != null) {
        old.key().close();
      }
      return new Unsealed(record, statePlain);
    } catch (SealingException | RuntimeException e) {
      dataKey.close();
      throw e;
    } finally {
      if (keyPlain != null) {
        Arrays.fill(keyPlain, (byte) 0);
      }
    }
  }

  /** u16 header length, the header (public facts, JSON), then the serialised secret. */
  private static byte[] encodeKey(Record r) {
    byte[] header = JSON.createObjectNode()
        .put("type", r.config().type().wireName())
        .put("network", r.config().network().wireName())
        .put("allowDigests", r.config().allowDigests())
        .put("disabled", r.disabled())
        .put("createdAt", r.createdAt())
        .toString().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + header.length + r.material().length)
        .putShort((short) header.length).put(header).put(r.material()).array();
  }

  private static Record decodeKey(String keyId, byte[] plain) throws SealingException {
    try {
      ByteBuffer in = ByteBuffer.wrap(plain);
      int headerLength = Short.toUnsignedInt(in.getShort());
      byte[] header = new byte[headerLength];
      in.get(header);
      byte[] material = new byte[in.remaining()];
      in.get(material);
      JsonNode h = JSON.readTree(header);
      KeyConfig config = new KeyConfig(KeyType.fromWireName(h.get("type").asText()),
          Network.fromWireName(h.get("network").asText()), h.get("allowDigests").asBoolean());
      return new Record(keyId, config, h.get("disabled").asBoolean(), h.get("createdAt").asText(), material);
    } catch (IOException | RuntimeException e) {
      throw new SealingException("the sealed key '" + keyId + "' opened but does not read back ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] decode(String field, String base64) throws SealingException {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new SealingException(field + ": not base64");
    }
  }
}
