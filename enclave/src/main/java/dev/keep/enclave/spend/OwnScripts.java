package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.taproot.OutputKey;
import dev.keep.enclave.bitcoin.taproot.TapNodeHash;
import dev.keep.enclave.bitcoin.taproot.TapTweak;
import dev.keep.enclave.keys.KeySession;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import dev.keep.enclave.psbt.Bip32Derivation;
import dev.keep.enclave.psbt.KeyOrigin;
import dev.keep.enclave.psbt.PsbtInput;
import dev.keep.enclave.psbt.PsbtOutput;
import dev.keep.enclave.psbt.TapBip32Derivation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which scripts belong to a key, by deriving them. A script is the key's only when the
 * enclave derives the same script from its own key: for a single key, from that key; for an HD
 * key, from the path a PSBT derivation entry gives under this root's fingerprint, after checking
 * that the entry's public key is what the path really derives. PSBT metadata only says where to
 * look; it never makes a script ours by itself.
 *
 * <p>Templates: P2WPKH, P2SH-P2WPKH, P2PKH and P2TR key path (BIP-86, or with the PSBT's
 * {@code tap_merkle_root}). One instance serves one PSBT: derived public keys (in the {@link
 * KeySession}) and taproot output keys are computed once each.
 */
public final class OwnScripts {
  private final KeySession keys;
  private final Optional<Fingerprint> fingerprint;
  private final Map<TaprootKey, OutputKey> outputKeys = new HashMap<>();

  public OwnScripts(KeySession keys) {
    this.keys = keys;
    this.fingerprint = keys.fingerprint();
  }

  private record TaprootKey(XOnlyPublicKey internal, Optional<TapNodeHash> merkleRoot) {}

  /** How this key spends {@code spent} for {@code input}, or empty when it cannot. */
  public Optional<Ownership> claimInput(PsbtInput input, Script spent) {
    Optional<TapNodeHash> merkleRoot = input.tapMerkleRoot().map(TapNodeHash::of);
    for (Candidate c : candidates(input.bip32Derivations(), input.tapBip32Derivations())) {
      Optional<Ownership> own = match(c, spent, merkleRoot);
      if (own.isPresent()) {
        return own;
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code script} is change: a script this key derives, along a path the output's
   * derivation data names. Taproot change is recognised for BIP-86 outputs (no script tree).
   */
  public Optional<Ownership> claimOutput(PsbtOutput output, Script script) {
    for (Candidate c : candidates(output.bip32Derivations(), output.tapBip32Derivations())) {
      Optional<Ownership> own = match(c, script, Optional.empty());
      if (own.isPresent()) {
        return own;
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code input} is not ours, for the report: names derivation entries under this key's
   * fingerprint whose public key is not what their path derives.
   */
  public String whyNotOurs(PsbtInput input) {
    if (fingerprint.isEmpty()) {
      return "its script is none of this key's scripts (P2WPKH, P2SH-P2WPKH, P2PKH, P2TR)";
    }
    for (Bip32Derivation d : input.bip32Derivations()) {
      if (d.origin().fingerprint().equals(fingerprint.get())
          && !derive(d.origin().path()).equals(d.key())) {
        return "bip32_derivation says key " + d.key().toHex() + " is at " + d.origin().path()
            + " under this key, but that path derives another key";
      }
    }
    for (TapBip32Derivation d : input.tapBip32Derivations()) {
      if (d.origin().fingerprint().equals(fingerprint.get())
          && !derive(d.origin().path()).xOnly().equals(d.key())) {
        return "tap_bip32_derivation says key " + d.key().toHex() + " is at " + d.origin().path()
            + " under this key, but that path derives another key";
      }
    }
    return "no derivation entry under this key's fingerprint " + fingerprint.get().toHex()
        + " derives its script";
  }

  private record Candidate(DerivationPath path, PublicKey key) {}

  private List<Candidate> candidates(List<Bip32Derivation> ecdsa, List<TapBip32Derivation> tap) {
    List<Candidate> out = new ArrayList<>(2);
    if (fingerprint.isEmpty()) {
      out.add(new Candidate(DerivationPath.ROOT, keys.publicKey(DerivationPath.ROOT)));
      return out;
    }
    for (Bip32Derivation d : ecdsa) {
      if (ours(d.origin())) {
        PublicKey key = derive(d.origin().path());
        if (key.equals(d.key())) {
          out.add(new Candidate(d.origin().path(), key));
        }
      }
    }
    for (TapBip32Derivation d : tap) {
      // Only key-path entries (no leaf hashes): a key used in a script leaf is not the output key.
      if (ours(d.origin()) && d.leafHashes().isEmpty()) {
        PublicKey key = derive(d.origin().path());
        if (key.xOnly().equals(d.key())) {
          out.add(new Candidate(d.origin().path(), key));
        }
      }
    }
    return out;
  }

  private boolean ours(KeyOrigin origin) {
    return origin.fingerprint().equals(fingerprint.get());
  }

  private PublicKey derive(DerivationPath path) {
    return keys.publicKey(path);
  }

  /** BIP-341 §Constructing and spending Taproot outputs: Q = P + tG, once per (P, merkle root). */
  private OutputKey outputKey(XOnlyPublicKey internal, Optional<TapNodeHash> merkleRoot) {
    return outputKeys.computeIfAbsent(new TaprootKey(internal, merkleRoot), k -> TapTweak.outputKey(k.internal(), k.merkleRoot()));
  }

  private Optional<Ownership> match(Candidate c, Script script, Optional<TapNodeHash> merkleRoot) {
    ScriptType type = script.type();
    byte[] keyHash;
    switch (type) {
      case P2WPKH -> {
        keyHash = Hash160.of(c.key());
        return found(Script.p2wpkh(keyHash).equals(script), type, c, Optional.empty());
      }
      case P2PKH -> {
        keyHash = Hash160.of(c.key());
        return found(Script.p2pkh(keyHash).equals(script), type, c, Optional.empty());
      }
      case P2SH -> {
        // BIP-141 §P2WPKH nested in BIP16 P2SH: the redeem script is the P2WPKH program.
        Script redeem = Script.p2wpkh(Hash160.of(c.key()));
        return found(Script.p2sh(Hash160.of(redeem.bytes())).equals(script), type, c, Optional.empty());
      }
      case P2TR -> {
        XOnlyPublicKey internal = c.key().xOnly();
        for (Optional<TapNodeHash> root : merkleRoot.isPresent() ? List.of(merkleRoot, Optional.<TapNodeHash>empty())
            : List.of(Optional.<TapNodeHash>empty())) {
          OutputKey q = outputKey(internal, root);
          if (Script.p2tr(q.key().toBytes()).equals(script)) {
            return Optional.of(new Ownership(type, c.path(), c.key(), root, Optional.of(q)));
          }
        }
        return Optional.empty();
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static Optional<Ownership> found(
      boolean matches, ScriptType type, Candidate c, Optional<TapNodeHash> merkleRoot) {
    return matches
        ? Optional.of(new Ownership(type, c.path(), c.key(), merkleRoot, Optional.empty()))
        : Optional.empty();
  }
}
