package dev.keep.enclave.bitcoin.taproot;

import dev.keep.enclave.bitcoin.sighash.SighashException;
import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.bitcoin.sighash.TransactionSighasher;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.SigningEngine;
import java.util.Optional;

/**
 * Signs a taproot input on the key path (BIP-341 §Taproot key path spending): tweaks the internal
 * secret, computes the input's BIP-341 sighash and signs it with BIP-340.
 *
 * <p>The output key the signature must verify under is computed separately, from the internal
 * <em>public</em> key ({@link TapTweak#outputKey}), and the engine verifies every signature
 * against the key it is given, so a secret-side tweak that disagreed with the public side would
 * fail here rather than produce an invalid witness.
 */
public final class KeyPathSigner {
  private final SigningEngine engine;

  public KeyPathSigner(SigningEngine engine) {
    if (engine == null) {
      throw new IllegalArgumentException("signing engine is required");
    }
    this.engine = engine;
  }

  /**
   * @param internalSecret the internal key's secret d; not modified, and the tweaked key derived
   *     from it is wiped before this returns
   * @param aux BIP-340 auxiliary randomness, 32 bytes: fresh randomness except in test vectors
   * @throws SighashException when the input's BIP-341 sighash cannot be computed
   */
  public TaprootSignature sign(TransactionSighasher sighasher, int inputIndex, SighashType type,
      SecretKey internalSecret, Optional<TapNodeHash> merkleRoot, byte[] aux)
      throws SighashException {
    return sign(sighasher, inputIndex, type, internalSecret, engine.publicKey(internalSecret), merkleRoot, aux);
  }

  /** As above, for a secret whose public key the caller already holds. */
  public TaprootSignature sign(TransactionSighasher sighasher, int inputIndex, SighashType type,
      SecretKey internalSecret, PublicKey internalPublic, Optional<TapNodeHash> merkleRoot, byte[] aux)
      throws SighashException {
    return sign(sighasher, inputIndex, type, internalSecret, internalPublic,
        TapTweak.outputKey(internalPublic.xOnly(), merkleRoot), merkleRoot, aux);
  }

  /**
   * As above, with the output key Q the caller computed from {@code internalPublic} (spend
   * analysis does, to recognise the script), so it is not computed twice.
   */
  public TaprootSignature sign(TransactionSighasher sighasher, int inputIndex, SighashType type,
      SecretKey internalSecret, PublicKey internalPublic, OutputKey output, Optional<TapNodeHash> merkleRoot,
      byte[] aux) throws SighashException {
    Digest32 sighash = sighasher.taprootKeyPath(inputIndex, type);
    PublicKey outputKey = output.toPublicKey();
    try (SecretKey tweaked = TapTweak.tweakSecretKey(internalSecret, internalPublic, merkleRoot)) {
      SchnorrSignature signature = engine.signSchnorr(Message.of(sighash), tweaked, outputKey, aux);
      return new TaprootSignature(signature, type);
    }
  }
}
