package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.taproot.OutputKey;
import dev.keep.enclave.bitcoin.taproot.TapNodeHash;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import java.util.Optional;

/**
 * Proof that a script is this key's: the enclave derived {@code publicKey} at {@code path} from
 * its own secret and rebuilt the very script from it, as {@code template}.
 *
 * @param path where in the key the public key sits; {@link DerivationPath#ROOT} for a single key
 *     or an HD root itself
 * @param tapMerkleRoot for P2TR, the script tree root the output key commits to (BIP-341); empty
 *     for a BIP-86 key-path-only output
 * @param tapOutputKey for P2TR, the output key Q the enclave computed from {@code publicKey} and
 *     found in the script; the signature is checked against it
 */
public record Ownership(
    ScriptType template,
    DerivationPath path,
    PublicKey publicKey,
    Optional<TapNodeHash> tapMerkleRoot,
    Optional<OutputKey> tapOutputKey) {
  public Ownership {
    if (template == null || path == null || publicKey == null || tapMerkleRoot == null || tapOutputKey == null) {
      throw new IllegalArgumentException("every ownership field is required");
    }
  }
}
