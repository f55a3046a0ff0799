package dev.keep.enclave.server;

import dev.keep.enclave.seal.KmsSealedVault;
import dev.keep.enclave.seal.SealingException;
import dev.keep.schema.protocol.DataKeyEnvelope;
import java.util.Optional;

import dev.keep.enclave.keys.KeyConfig;
import dev.keep.enclave.keys.KeyMaterial;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.policy.Policy;
import dev.keep.enclave.keys.KeyType;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import dev.keep.enclave.nostr.Nip19;
import dev.keep.enclave.seal.VaultException;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Making, importing, describing and disabling keys. */
final class KeyRequests {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRequests.class);

  /** BIP-32 §Master key generation allows 128 to 512 bits of seed; Keep draws 256. */
  private static final int SEED_BYTES = 32;

  private final KeyStore keys;
  private final Signer signer;
  private final EnclaveMode mode;
  private PolicyRequests policies;

  KeyRequests(KeyStore keys, Signer signer, EnclaveMode mode) {
    this.keys = keys;
    this.signer = signer;
    this.mode = mode;
  }

  /** Set once, by the service, before the first request: the two depend on each other. */
  void usePolicies(PolicyRequests policies) {
    this.policies = policies;
  }

  /**
   * The request's policy, parsed for the key's network before the key is made, so a bad policy
   * leaves no key behind.
   */
  private Policy policyOf(String text, KeyConfig config) throws Refused {
    return text == null ? null : PolicyRequests.parse(text, config.network());
  }

  EnclaveResponse.KeyInfo generate(EnclaveRequest.GenerateKey request) throws Refused {
    KeyConfig config = config(request.spec());
    Policy policy = policyOf(request.policy(), config);
    KeyStore.Entry entry = addSealed(request.keyId(), request.tenant(), request.dataKey(), config, () -> switch (config.type()) {
      case SINGLE -> KeyMaterial.Single.of(signer.generate());
      case HD -> {
        byte[] seed = new byte[SEED_BYTES];
        signer.randomBytes(seed);
        try {
          yield new KeyMaterial.Hd(ExtendedPrivateKey.fromSeed(seed));
        } finally {
          Arrays.fill(seed, (byte) 0);
        }
      }
    });
    if (policy != null) {
      policies.installFirst(entry.keyId(), policy);
    }
    LOG.info("generated {} key {}{}{}", config.type().wireName(), entry.keyId(),
        request.dataKey() == null ? " (not sealed: memory only)" : " (sealed)",
        policy == null ? " (no policy: it signs nothing)" : "");
    return info(entry, null);
  }

  EnclaveResponse.KeyInfo importKey(EnclaveRequest.ImportKey request) throws Refused {
    if (mode != EnclaveMode.LOCAL && request.secret() != null) {
      throw new Refused(ErrorCode.INVALID_REQUEST,
          "secret: a Nitro enclave refuses plaintext key material; send it as sealedSecret, encrypted to "
              + "this enclave's attested public key");
    }
    KeyConfig config = config(request.spec());
    Policy policy = policyOf(request.policy(), config);
    KeyMaterial material = request.secret() != null
        ? parseSecret(request.secret().strip(), config)
        : parseSecret(openSealedSecret(request.sealedSecret()), config);
    KeyStore.Entry entry;
    try {
      entry = addSealed(request.keyId(), request.tenant(), request.dataKey(), config, () -> material);
    } catch (Refused e) {
      material.close(); // the name was taken: the parsed secret goes nowhere
      throw e;
    }
    if (policy != null) {
      policies.installFirst(entry.keyId(), policy);
    }
    LOG.info("imported {} key {}{}", config.type().wireName(), entry.keyId(),
        request.dataKey() == null ? " (not sealed: memory only)" : " (sealed)");
    return info(entry, null);
  }

  /** The secret inside a CMS envelope encrypted to this boot's recipient key. */
  private String openSealedSecret(String base64) throws Refused {
    KmsSealedVault vault = sealingVault();
    byte[] plain;
    try {
      plain = vault.recipient().open(java.util.Base64.getDecoder().decode(base64), "sealedSecret");
    } catch (SealingException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
    try {
      return new String(plain, java.nio.charset.StandardCharsets.UTF_8).strip();
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * Loads a key the host kept sealed. A key already held is answered as it is: a worker that
   * restarts unseals every key again, and the enclave's newer state must win.
   */
  synchronized EnclaveResponse.KeyInfo unseal(EnclaveRequest.UnsealKey request) throws Refused {
    Optional<KeyStore.Entry> held = keys.find(request.keyId());
    if (held.isPresent()) {
      return info(held.get(), null);
    }
    KmsSealedVault.Unsealed unsealed;
    try {
      unsealed = sealingVault().unseal(request);
    } catch (SealingException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
    try {
      KeyStore.Entry entry = keys.restore(unsealed.record());
      if (unsealed.state() != null) {
        policies.restore(entry.keyId(), unsealed.state(), entry.config().network());
      }
      LOG.info("unsealed {} key {}", entry.config().type().wireName(), entry.keyId());
      return info(entry, null);
    } finally {
      Arrays.fill(unsealed.record().material(), (byte) 0);
      if (unsealed.state() != null) {
        Arrays.fill(unsealed.state(), (byte) 0);
      }
    }
  }

  private KmsSealedVault sealingVault() throws Refused {
    if (keys.vault() instanceof KmsSealedVault vault) {
      return vault;
    }
    throw new Refused(ErrorCode.SEALING_FAILED, "this enclave was started without sealing (keys in memory only)");
  }

  /**
   * Adds a key, sealed with {@code dataKey} when one is given. A Nitro enclave seals every key:
   * one that could not be sealed would be gone at the next restart.
   */
  private synchronized KeyStore.Entry addSealed(String keyId, String tenant, DataKeyEnvelope dataKey, KeyConfig config,
      java.util.function.Supplier<KeyMaterial> make) throws Refused {
    if (dataKey == null) {
      if (mode != EnclaveMode.LOCAL) {
        throw new Refused(ErrorCode.INVALID_REQUEST, "dataKey: a Nitro enclave seals every key it holds; the host "
            + "asks KMS GenerateDataKey with this enclave's attestation as Recipient and sends the result");
      }
      return add(keyId, config, make);
    }
    if (keys.find(keyId).isPresent()) {
      throw new Refused(ErrorCode.KEY_EXISTS, "keyId: a key named '" + keyId + "' exists; choose another name");
    }
    KmsSealedVault vault = sealingVault();
    try {
      vault.prepare(keyId, tenant, dataKey);
    } catch (SealingException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
    try {
      return add(keyId, config, make);
    } catch (Refused e) {
      vault.forget(keyId);
      throw e;
    }
  }

  /** Hex or nsec for a single key; xprv/tprv for an HD key of the matching network. */
  private KeyMaterial parseSecret(String secret, KeyConfig config) throws Refused {
    String lower = secret.toLowerCase(Locale.ROOT);
    if (lower.startsWith("xprv") || lower.startsWith("tprv")) {
      if (config.type() != KeyType.HD) {
        throw new Refused(ErrorCode.INVALID_REQUEST, "secret: an extended private key is an HD key; use type hd");
      }
      ExtendedPrivateKey.Parsed parsed;
      try {
        parsed = ExtendedPrivateKey.parse(secret);
      } catch (IllegalArgumentException e) {
        throw new Refused(ErrorCode.INVALID_REQUEST, "secret: " + e.getMessage());
      }
      boolean mainnetKey = parsed.network() == Network.MAINNET;
      if (mainnetKey != (config.network() == Network.MAINNET)) {
        parsed.key().close();
        throw new Refused(ErrorCode.INVALID_REQUEST, "secret: a " + (mainnetKey ? "xprv is a mainnet" : "tprv is a test-network")
            + " key but the key is configured for " + config.network().wireName());
      }
      return new KeyMaterial.Hd(parsed.key());
    }
    if (config.type() != KeyType.SINGLE) {
      throw new Refused(ErrorCode.INVALID_REQUEST, "secret: an HD key is imported as an xprv or tprv");
    }
    byte[] bytes;
    if (lower.startsWith("nsec1")) {
      try (SecretKey decoded = Nip19.decodeNsec(secret)) {
        bytes = decoded.expose().clone();
      } catch (IllegalArgumentException e) {
        throw new Refused(ErrorCode.INVALID_REQUEST, "secret: not a valid nsec (" + e.getMessage() + ")");
      }
    } else if (Hex.isHex(secret, 32)) {
      bytes = Hex.decode("secret", secret);
    } else {
      throw new Refused(ErrorCode.INVALID_REQUEST, "secret: must be 64 hex digits, an nsec1… or an xprv/tprv");
    }
    if (!signer.engine().isValidSecret(bytes)) {
      Arrays.fill(bytes, (byte) 0);
      throw new Refused(ErrorCode.INVALID_REQUEST, "secret: not a valid secp256k1 key (must be 0 < k < n)");
    }
    return KeyMaterial.Single.of(SecretKey.adopt(bytes));
  }

  EnclaveResponse.KeyInfo publicKey(EnclaveRequest.GetPublicKey request) throws Refused {
    KeyStore.Entry entry = find(request.keyId());
    try {
      return info(entry, path(request.path()));
    } catch (IllegalArgumentException e) {
      throw new Refused(ErrorCode.INVALID_REQUEST, e.getMessage()); // a path on a single key
    }
  }

  EnclaveResponse.KeyList list() {
    return new EnclaveResponse.KeyList(keys.list().stream().map(e -> info(e, null)).toList());
  }

  EnclaveResponse.KeyInfo disable(EnclaveRequest.DisableKey request) throws Refused {
    KeyStore.Entry entry = find(request.keyId());
    try {
      keys.disable(entry);
    } catch (VaultException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
    LOG.info("disabled key {}", entry.keyId());
    return info(entry, null);
  }

  /** A key that may sign: it exists and is not disabled. */
  KeyStore.Entry usable(String keyId) throws Refused {
    KeyStore.Entry entry = find(keyId);
    if (entry.disabled()) {
      throw new Refused(ErrorCode.KEY_DISABLED, "keyId: key '" + keyId + "' is disabled and signs nothing");
    }
    return entry;
  }

  KeyStore.Entry find(String keyId) throws Refused {
    return keys.find(keyId).orElseThrow(() ->
        new Refused(ErrorCode.KEY_NOT_FOUND, "keyId: this enclave holds no key named '" + keyId + "'"));
  }

  static DerivationPath path(String path) throws Refused {
    if (path == null) {
      return null;
    }
    try {
      return DerivationPath.parse(path);
    } catch (IllegalArgumentException e) {
      throw new Refused(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }

  EnclaveResponse.KeyInfo info(KeyStore.Entry entry, DerivationPath path) {
    KeyMaterial.PublicForms forms = entry.material().publicForms(path, entry.config().network());
    XOnlyPublicKey xOnly = forms.publicKey().xOnly();
    return new EnclaveResponse.KeyInfo(
        entry.keyId(),
        entry.config().toSpec(),
        entry.disabled(),
        path == null ? null : path.toString(),
        forms.publicKey().toHex(),
        xOnly.toHex(),
        Nip19.encodeNpub(xOnly),
        forms.xpub());
  }

  private KeyStore.Entry add(String keyId, KeyConfig config, java.util.function.Supplier<KeyMaterial> make)
      throws Refused {
    try {
      return keys.add(keyId, config, make);
    } catch (KeyStore.KeyExistsException | KeyStore.SameMaterialException e) {
      throw new Refused(ErrorCode.KEY_EXISTS, e.getMessage());
    } catch (VaultException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
  }

  private static KeyConfig config(EnclaveRequest.KeySpec spec) throws Refused {
    try {
      return KeyConfig.from(spec);
    } catch (IllegalArgumentException e) {
      throw new Refused(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }
}
