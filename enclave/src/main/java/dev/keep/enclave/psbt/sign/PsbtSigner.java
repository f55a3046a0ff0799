package dev.keep.enclave.psbt.sign;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.sighash.SighashException;
import dev.keep.enclave.bitcoin.sighash.ScriptCodes;
import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.bitcoin.sighash.TransactionSighasher;
import dev.keep.enclave.bitcoin.taproot.KeyPathSigner;
import dev.keep.enclave.bitcoin.taproot.TaprootSignature;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.KeyMaterial;
import dev.keep.enclave.keys.KeySession;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.PsbtInput;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.EcdsaSignature;
import dev.keep.enclave.signing.Signer;
import dev.keep.enclave.spend.OwnScripts;
import dev.keep.enclave.spend.Ownership;
import dev.keep.enclave.spend.CoinTypes;
import dev.keep.enclave.spend.SpendAnalysis;
import dev.keep.enclave.spend.SpendAnalysis.SpentInput;
import dev.keep.enclave.spend.SpendAnalyzer;
import dev.keep.enclave.spend.SpendException;
import dev.keep.enclave.spend.SpendRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * BIP-174 §Signer for one key: analyses the PSBT, then signs every input whose script the key
 * derives (P2WPKH and P2SH-P2WPKH by BIP-143, P2PKH by the legacy sighash, P2TR key path by
 * BIP-341 with the BIP-86 or merkle-root tweak) and leaves the others untouched.
 *
 * <p>Everything that could refuse the PSBT is checked before the first signature, so a refusal
 * never leaves a half-signed PSBT behind. The BIP-143 and BIP-341 hashes shared by all inputs are
 * computed once per transaction by {@link TransactionSighasher}, so the work is linear in the
 * number of inputs.
 */
public final class PsbtSigner {
  private final Signer signer;
  private final KeyPathSigner keyPath;

  public PsbtSigner(Signer signer) {
    this.signer = signer;
    this.keyPath = new KeyPathSigner(signer.engine());
  }

  /** Analyses and signs {@code psbt} in place. */
  public SignOutcome sign(Psbt psbt, KeyMaterial key, Network network, SpendRules rules, boolean finalize)
      throws SpendException {
    try (Prepared prepared = prepare(psbt, key, network, rules)) {
      return prepared.sign(finalize);
    }
  }

  /**
   * Analyses {@code psbt} and decides what to sign, refusing it for anything the rules or the
   * PSBT's own consistency forbid, without signing yet: the caller can put the analysis before a
   * policy first. Close the result (it holds the key session's derived secrets).
   */
  public Prepared prepare(Psbt psbt, KeyMaterial material, Network network, SpendRules rules)
      throws SpendException {
    KeySession key = KeySession.open(material);
    try {
      OwnScripts own = new OwnScripts(key);
      SpendAnalysis analysis = SpendAnalyzer.analyze(psbt, own, network, rules);
      List<Planned> plan = new ArrayList<>();
      List<InputResult> results = new ArrayList<>();
      for (SpentInput input : analysis.inputs()) {
        PsbtInput meta = psbt.input(input.index());
        if (input.owner().isEmpty()) {
          results.add(InputResult.skipped(input.index(), "not this key's: " + own.whyNotOurs(meta)));
        } else if (meta.isFinalized()) {
          results.add(InputResult.skipped(input.index(), "already finalized"));
        } else {
          Optional<String> wrongNetwork = CoinTypes.refusal(input.owner().get().path(), network, rules.otherNetworkPaths());
          if (wrongNetwork.isPresent()) {
            throw SpendException.denied("input " + input.index(), wrongNetwork.get());
          }
          SighashType type = sighashType(input, meta, rules);
          Ownership owner = input.owner().get();
          plan.add(new Planned(input, owner, type));
          // What the report will say once it is signed; signing either does this or fails.
          results.add(InputResult.signed(input.index(), type, owner.path(), "signed: " + how(owner)));
        }
      }
      if (analysis.inputs().stream().noneMatch(in -> in.owner().isPresent())) {
        // Nothing here is this key's: most likely the wrong key or the wrong PSBT. Say so rather
        // than answer "signed" with no signature in it.
        throw SpendException.invalid("psbt", "none of its " + analysis.inputs().size()
            + " inputs is this key's" + (results.isEmpty() ? "" : " (input 0: " + results.get(0).reason() + ")"));
      }
      return new Prepared(psbt, key, analysis, plan, results);
    } catch (SpendException | RuntimeException e) {
      key.close();
      throw e;
    }
  }

  /** A PSBT analysed and planned, not yet signed. */
  public final class Prepared implements AutoCloseable {
    private final Psbt psbt;
    private final KeySession key;
    private final SpendAnalysis analysis;
    private final List<Planned> plan;
    private final List<InputResult> results;

    private Prepared(Psbt psbt, KeySession key, SpendAnalysis analysis, List<Planned> plan, List<InputResult> results) {
      this.psbt = psbt;
      this.key = key;
      this.analysis = analysis;
      this.plan = plan;
      this.results = results;
    }

    public SpendAnalysis analysis() {
      return analysis;
    }

    /** The PSBT as parsed, before signing. */
    public Psbt psbt() {
      return psbt;
    }

    /** How many inputs {@link #sign} will sign. */
    public int signingCount() {
      return plan.size();
    }

    /** What the report will say of each input once {@link #sign} has run. */
    public List<InputResult> plannedResults() {
      return List.copyOf(results);
    }

    /** Signs the planned inputs in place, then finalises when asked. */
    public SignOutcome sign(boolean finalize) throws SpendException {
        Transaction tx = analysis.unsignedTx();
        List<TxOut> spent = analysis.inputs().stream().map(SpentInput::spent).toList();
        TransactionSighasher sighasher = new TransactionSighasher(tx, spent);
        for (Planned p : plan) {
          results.set(p.input().index(), signInput(psbt, sighasher, key, p));
        }
        if (psbt.version() == 2 && !plan.isEmpty()) {
          updateModifiable(psbt, plan);
        }
        Optional<Transaction> extracted = Optional.empty();
        if (finalize) {
          boolean all = true;
          for (SpentInput input : analysis.inputs()) {
            all &= InputFinalizer.finalizeInput(psbt, input.index(), input.spent().scriptPubKey());
          }
          if (all) {
            extracted = Optional.of(psbt.extract());
          }
        }
        return new SignOutcome(psbt, analysis, results, extracted);
    }

    @Override
    public void close() {
      key.close();
    }
  }

  private record Planned(SpentInput input, Ownership owner, SighashType type) {}

  /**
   * BIP-370 §Signer: after signing, a PSBTv2's PSBT_GLOBAL_TX_MODIFIABLE must say what others may
   * still change: inputs only if every signature is ANYONECANPAY, outputs only if every signature
   * is SIGHASH_NONE, and bit 2 set once a SIGHASH_SINGLE signature exists.
   */
  private static void updateModifiable(Psbt psbt, List<Planned> plan) {
    int flags = psbt.txModifiable();
    for (Planned p : plan) {
      if (!p.type().anyoneCanPay()) {
        flags &= ~0x01;
      }
      if (p.type().base() != 2) {
        flags &= ~0x02;
      }
      if (p.type().base() == 3) {
        flags |= 0x04;
      }
    }
    if (flags != psbt.txModifiable()) {
      psbt.setTxModifiable(flags);
    }
  }

  /**
   * The hash type from PSBT_IN_SIGHASH_TYPE, else SIGHASH_DEFAULT for taproot and SIGHASH_ALL
   * for the rest (BIP-174 §Signer: "the Signer should use SIGHASH_ALL" when none is given; BIP-371
   * for taproot), refused when the rules do not allow it.
   */
  private static SighashType sighashType(SpentInput input, PsbtInput meta, SpendRules rules)
      throws SpendException {
    String where = "input " + input.index();
    boolean taproot = input.owner().get().template() == ScriptType.P2TR;
    SighashType type;
    if (meta.sighashType().isPresent()) {
      long value = meta.sighashType().getAsLong();
      try {
        type = SighashType.of(value);
      } catch (IllegalArgumentException e) {
        throw SpendException.invalid(where, "sighash_type " + value + " is not a hash type this enclave knows");
      }
    } else {
      type = taproot ? SighashType.DEFAULT : SighashType.ALL;
    }
    if (taproot && !type.isValidForTaproot()) {
      throw SpendException.invalid(where, "sighash_type " + type + " is not valid for taproot (BIP-341)");
    }
    if (!taproot && type.equals(SighashType.DEFAULT)) {
      throw SpendException.invalid(where, "sighash_type 0 (DEFAULT) exists only for taproot inputs");
    }
    if (!rules.allowedSighashTypes().contains(type)) {
      throw SpendException.denied(where,
          "sighash_type " + type + " is not allowed for this key (allowed: " + rules.allowedSighashTypes()
              + "); other hash types let the transaction change after it is signed");
    }
    return type;
  }

  private InputResult signInput(Psbt psbt, TransactionSighasher sighasher, KeySession key, Planned p)
      throws SpendException {
    int i = p.input().index();
    Ownership owner = p.owner();
    DerivationPath path = owner.path();
    try (KeyMaterial.Lease lease = key.lease(path)) {
      if (!lease.publicKey().equals(owner.publicKey())) {
        throw new IllegalStateException("lease for " + path + " is not the key ownership was proven for");
      }
      PublicKey pub = lease.publicKey();
      byte[] keyHash = Hash160.of(pub);
      // BIP-143 §Specification: for P2WPKH the scriptCode is the P2PKH script of the key hash.
      Script p2pkhCode = ScriptCodes.p2wpkh(keyHash);
      switch (owner.template()) {
        case P2WPKH -> addEcdsa(psbt, i, lease, sighasher.segwitV0(i, p2pkhCode, p.input().spent().amount(), p.type()), p.type());
        case P2SH -> {
          Script redeem = Script.p2wpkh(keyHash);
          if (psbt.input(i).redeemScript().isEmpty()) {
            psbt.setRedeemScript(i, redeem); // derived by the enclave, so the finaliser can use it
          }
          addEcdsa(psbt, i, lease, sighasher.segwitV0(i, p2pkhCode, p.input().spent().amount(), p.type()), p.type());
        }
        case P2PKH -> addEcdsa(psbt, i, lease, sighasher.legacy(i, p.input().spent().scriptPubKey(), p.type()), p.type());
        case P2TR -> signTaproot(psbt, sighasher, i, lease, owner, p.type());
        default -> throw new IllegalStateException("ownership of a " + owner.template() + " script");
      }
    } catch (SighashException e) {
      throw SpendException.invalid("input " + i, e.getMessage());
    }
    return InputResult.signed(i, p.type(), path, "signed: " + how(owner));
  }

  /** How an input of this ownership is signed, for the report. */
  private static String how(Ownership owner) {
    return switch (owner.template()) {
      case P2WPKH -> "P2WPKH, BIP-143";
      case P2SH -> "P2SH-P2WPKH, BIP-143";
      case P2PKH -> "P2PKH, legacy sighash";
      case P2TR -> owner.tapMerkleRoot().isPresent()
          ? "P2TR key path, tweaked with tap_merkle_root"
          : "P2TR key path, BIP-86 tweak";
      default -> owner.template().name().toLowerCase(Locale.ROOT);
    };
  }

  /** An ECDSA partial signature: DER, then the hash type byte (BIP-174 PSBT_IN_PARTIAL_SIG). */
  private void addEcdsa(Psbt psbt, int i, KeyMaterial.Lease lease, Digest32 sighash, SighashType type) {
    EcdsaSignature sig = signer.ecdsa(sighash, lease.key(), lease.publicKey());
    byte[] der = sig.der();
    byte[] value = new byte[der.length + 1];
    System.arraycopy(der, 0, value, 0, der.length);
    value[der.length] = (byte) type.value();
    psbt.addPartialSig(i, lease.publicKey(), value);
  }

  /** BIP-341 key path with the BIP-86 or merkle-root tweak, fresh BIP-340 aux randomness. */
  private void signTaproot(Psbt psbt, TransactionSighasher sighasher, int i, KeyMaterial.Lease lease,
      Ownership owner, SighashType type) throws SighashException {
    byte[] aux = new byte[32];
    signer.randomBytes(aux);
    TaprootSignature sig = keyPath.sign(sighasher, i, type, lease.key(), lease.publicKey(),
        owner.tapOutputKey().orElseThrow(), owner.tapMerkleRoot(), aux);
    psbt.setTapKeySig(i, sig.toWitnessBytes());
  }
}
