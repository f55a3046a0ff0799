package dev.keep.enclave.bitcoin.tx;

import dev.keep.enclave.bitcoin.script.Script;
import java.util.ArrayList;
import java.util.List;

/**
 * A Bitcoin transaction, parsed strictly: no bytes may follow it, every length is checked before
 * it is allocated, and CompactSize values must be minimal.
 *
 * <p>Two formats: the original one and BIP-144's (marker 0x00, flag 0x01, witnesses after the
 * outputs). {@link #parse} with {@code allowWitness=false} reads only the original format, which
 * is what BIP-174 requires of PSBT_GLOBAL_UNSIGNED_TX; there a 0x00 after the version is an input
 * count of zero, not a marker.
 */
public record Transaction(int version, List<TxIn> inputs, List<TxOut> outputs, long lockTime) {
  /** Smallest possible input (36-byte outpoint, empty script, sequence) and output (amount, empty script). */
  private static final int MIN_INPUT_BYTES = 41;

  private static final int MIN_OUTPUT_BYTES = 9;

  public Transaction {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (lockTime < 0 || lockTime > 0xffffffffL) {
      throw new IllegalArgumentException("lock time must be a uint32, got " + lockTime);
    }
  }

  public static Transaction parse(byte[] bytes, boolean allowWitness) throws TxFormatException {
    ByteReader r = new ByteReader(bytes);
    int version = r.readI32("version");
    boolean segwit = false;
    if (allowWitness && r.remaining() >= 2 && r.peek("marker") == 0x00) {
      r.readU8("marker");
      int flag = r.readU8("flag");
      if (flag != 0x01) {
        throw new TxFormatException("flag: BIP-144 requires 0x01 after the 0x00 marker, got " + flag);
      }
      segwit = true;
    }
    int inputCount = r.readCount("input count", MIN_INPUT_BYTES);
    List<TxIn> inputs = new ArrayList<>(inputCount);
    for (int i = 0; i < inputCount; i++) {
      String field = "input " + i;
      Txid txid = Txid.fromInternal(r.readBytes(Txid.LENGTH, field + " prevout txid"));
      long index = r.readU32(field + " prevout index");
      Script scriptSig = Script.of(r.readVarBytes(field + " scriptSig"));
      long sequence = r.readU32(field + " sequence");
      inputs.add(new TxIn(new OutPoint(txid, index), scriptSig, sequence, List.of()));
    }
    int outputCount = r.readCount("output count", MIN_OUTPUT_BYTES);
    List<TxOut> outputs = new ArrayList<>(outputCount);
    for (int i = 0; i < outputCount; i++) {
      outputs.add(TxOut.read(r, "output " + i));
    }
    if (segwit) {
      if (inputCount == 0) {
        throw new TxFormatException("input count: a BIP-144 transaction needs at least one input");
      }
      boolean anyWitness = false;
      for (int i = 0; i < inputCount; i++) {
        int items = r.readCount("input " + i + " witness count", 1);
        List<byte[]> stack = new ArrayList<>(items);
        for (int j = 0; j < items; j++) {
          stack.add(r.readVarBytes("input " + i + " witness item " + j));
        }
        anyWitness |= items > 0;
        inputs.set(i, inputs.get(i).withWitness(stack));
      }
      if (!anyWitness) {
        throw new TxFormatException("witness: BIP-144 format with every witness empty (superfluous witness)");
      }
    }
    long lockTime = r.readU32("lock time");
    if (!r.atEnd()) {
      throw new TxFormatException("transaction: " + r.remaining() + " unexpected bytes after the lock time");
    }
    return new Transaction(version, inputs, outputs, lockTime);
  }

  public boolean hasWitness() {
    return inputs.stream().anyMatch(in -> !in.witness().isEmpty());
  }

  /** The original format, without witnesses: what the txid commits to, and the PSBT v0 unsigned tx. */
  public byte[] serializeWithoutWitness() {
    ByteWriter w = new ByteWriter(estimateSize());
    w.u32(version);
    writeBody(w);
    w.u32(lockTime);
    return w.toByteArray();
  }

  /** BIP-144 format when any input has a witness, else the original format. */
  public byte[] serialize() {
    if (!hasWitness()) {
      return serializeWithoutWitness();
    }
    ByteWriter w = new ByteWriter(estimateSize());
    w.u32(version).u8(0x00).u8(0x01);
    writeBody(w);
    for (TxIn in : inputs) {
      w.compactSize(in.witness().size());
      for (byte[] item : in.witness()) {
        w.varBytes(item);
      }
    }
    w.u32(lockTime);
    return w.toByteArray();
  }

  private void writeBody(ByteWriter w) {
    w.compactSize(inputs.size());
    for (TxIn in : inputs) {
      w.bytes(in.prevout().txid().internalBytes())
          .u32(in.prevout().index())
          .varBytes(in.scriptSig().bytes())
          .u32(in.sequence());
    }
    w.compactSize(outputs.size());
    for (TxOut out : outputs) {
      out.write(w);
    }
  }

  private int estimateSize() {
    return 16 + inputs.size() * 150 + outputs.size() * 45;
  }

  public Txid txid() {
    return Txid.fromInternal(DoubleSha256.of(serializeWithoutWitness()));
  }

  /** BIP-141 weight: 4 × the size without witnesses, plus the witness bytes (marker, flag and stacks). */
  public long weight() {
    long base = serializeWithoutWitness().length;
    long total = serialize().length;
    return base * 3 + total;
  }
}
