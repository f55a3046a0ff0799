package dev.keep.local.wallet;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.taproot.TapTweak;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import dev.keep.enclave.psbt.KeyOrigin;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.encoding.Hex;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/**
 * A watch-only example wallet, for the demo and {@code keep enclave example-psbt}. It knows a
 * key's public keys (asked from the enclave, as a wallet would import an xpub), makes up a
 * funding transaction to one of its addresses, and builds a PSBT that spends it to an outside
 * address with change back to itself. It plays BIP-174's Creator and Updater; the enclave is the
 * Signer and Finalizer. The funding transaction is invented, so the result cannot be broadcast.
 */
public final class ExampleWallet {
  /** Where the wallet gets public keys: the key's public form at a path (null: the root). */
  public interface PublicKeys {
    PublicKey at(String path) throws EnclaveUnavailableException;
  }

  /** A PSBT to submit, and the output it spends, for the independent check. */
  public record Spend(String label, String psbtBase64, Transaction funding, int fundingIndex, long fee, int changeIndex) {}

  static final long FUNDED = 100_000;
  /** What the example pays out unless asked for another amount. */
  public static final long PAID = 60_000;
  static final long FEE = 1_000;
  /** The change left when the payment is larger than the default funding allows. */
  static final long CHANGE = 39_000;

  private final PublicKeys keys;
  private final boolean hd;
  private final Fingerprint fingerprint;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param hd whether the key is a BIP-32 root: then receive and change keys sit at BIP-84/86
   *     paths and the PSBT carries their derivations; a single key receives and takes change at
   *     its own scripts, which the enclave recognises without derivation data
   */
  public ExampleWallet(PublicKeys keys, boolean hd) throws EnclaveUnavailableException {
    this.keys = keys;
    this.hd = hd;
    this.fingerprint = Fingerprint.of(keys.at(null));
  }

  /** A wallet over the local stack's HD key {@code keyId}. */
  public static ExampleWallet of(LocalStack stack, String keyId) throws EnclaveUnavailableException {
    return new ExampleWallet(
        path -> PublicKey.ofCompressed(Hex.decode("publicKey", stack.publicKey(keyId, path).publicKey())), true);
  }

  private PublicKey key(String path) throws EnclaveUnavailableException {
    return keys.at(hd ? path : null);
  }

  private KeyOrigin origin(String path) {
    return new KeyOrigin(fingerprint, DerivationPath.parse(path));
  }

  /** BIP-86 key-path spend, as a BIP-370 (v2) PSBT with only a witness_utxo (enough for taproot). */
  public Spend taproot() throws EnclaveUnavailableException {
    return taproot(PAID);
  }

  /** As {@link #taproot()}, paying {@code paid} sats out (funded with enough to leave change). */
  public Spend taproot(long paid) throws EnclaveUnavailableException {
    long funded = funded(paid);
    String receivePath = "m/86'/1'/0'/0/0";
    String changePath = "m/86'/1'/0'/1/0";
    PublicKey receive = key(receivePath);
    PublicKey change = key(changePath);
    Script receiveScript = TapTweak.p2trScript(receive.xOnly(), Optional.empty());
    Transaction funding = funding(receiveScript, funded);
    List<TxOut> outputs = List.of(
        new TxOut(paid, outsideAddress()),
        new TxOut(funded - paid - FEE, TapTweak.p2trScript(change.xOnly(), Optional.empty())));
    Psbt psbt = Psbt.createV2(2, 0, List.of(TxIn.unsigned(new OutPoint(funding.txid(), 0), 0xfffffffdL)), outputs);
    psbt.setWitnessUtxo(0, funding.outputs().get(0));
    psbt.setTapInternalKey(0, receive.xOnly());
    psbt.setOutputTapInternalKey(1, change.xOnly());
    if (hd) {
      psbt.addTapBip32Derivation(0, receive.xOnly(), List.of(), origin(receivePath));
      psbt.addOutputTapBip32Derivation(1, change.xOnly(), List.of(), origin(changePath));
    }
    return new Spend("psbt p2tr", psbt.toBase64(), funding, 0, FEE, 1);
  }

  /** BIP-84 P2WPKH spend, as a BIP-174 (v0) PSBT with the full previous transaction. */
  public Spend segwit() throws EnclaveUnavailableException {
    return segwit(PAID);
  }

  /** As {@link #segwit()}, paying {@code paid} sats out (funded with enough to leave change). */
  public Spend segwit(long paid) throws EnclaveUnavailableException {
    long funded = funded(paid);
    String receivePath = "m/84'/1'/0'/0/0";
    String changePath = "m/84'/1'/0'/1/0";
    PublicKey receive = key(receivePath);
    PublicKey change = key(changePath);
    Transaction funding = funding(Script.p2wpkh(Hash160.of(receive)), funded);
    Transaction unsigned = new Transaction(2,
        List.of(TxIn.unsigned(new OutPoint(funding.txid(), 0), 0xfffffffdL)),
        List.of(new TxOut(funded - paid - FEE, Script.p2wpkh(Hash160.of(change))), new TxOut(paid, outsideAddress())),
        0);
    Psbt psbt = Psbt.createV0(unsigned);
    psbt.setNonWitnessUtxo(0, funding);
    psbt.setWitnessUtxo(0, funding.outputs().get(0));
    if (hd) {
      psbt.addBip32Derivation(0, receive, origin(receivePath));
      psbt.addOutputBip32Derivation(0, change, origin(changePath));
    }
    return new Spend("psbt p2wpkh", psbt.toBase64(), funding, 0, FEE, 0);
  }

  private static long funded(long paid) {
    if (paid <= 0 || paid > 20_000_000L * 100_000_000L) {
      throw new IllegalArgumentException("amount: must be 1..2,000,000,000,000,000 sats, got " + paid);
    }
    return Math.max(FUNDED, paid + FEE + CHANGE);
  }

  /** A made-up transaction paying {@code amount} sats to {@code script}; only its txid matters. */
  private Transaction funding(Script script, long amount) {
    byte[] prev = new byte[32];
    random.nextBytes(prev);
    return new Transaction(2,
        List.of(new TxIn(new OutPoint(Txid.fromInternal(prev), 0), Script.of(new byte[] {0x51}), 0xffffffffL, List.of())),
        List.of(new TxOut(amount, script)), 0);
  }

  /** Someone else's P2WPKH address. */
  private Script outsideAddress() {
    byte[] hash = new byte[20];
    random.nextBytes(hash);
    return Script.p2wpkh(hash);
  }
}
