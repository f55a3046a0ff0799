package dev.keep.enclave.psbt;

/**
 * Where in a PSBT something is wrong: the envelope (size, magic, trailing bytes), the global map,
 * or one input or output map, counted from 0 as BIP-174 orders them.
 */
public record PsbtLocation(Kind kind, int index) {
  /** The part of a PSBT a location names. */
  public enum Kind {
    GLOBAL,
    INPUT,
    OUTPUT,
    ENVELOPE
  }

  public static final PsbtLocation GLOBAL = new PsbtLocation(Kind.GLOBAL, -1);
  public static final PsbtLocation ENVELOPE = new PsbtLocation(Kind.ENVELOPE, -1);

  public PsbtLocation {
    if (kind == null) {
      throw new IllegalArgumentException("location kind is required");
    }
    boolean indexed = kind == Kind.INPUT || kind == Kind.OUTPUT;
    if (indexed ? index < 0 : index != -1) {
      throw new IllegalArgumentException(
          indexed ? "input and output indexes start at 0" : kind + " takes no index");
    }
  }

  public static PsbtLocation input(int index) {
    return new PsbtLocation(Kind.INPUT, index);
  }

  public static PsbtLocation output(int index) {
    return new PsbtLocation(Kind.OUTPUT, index);
  }

  /** {@code "global"}, {@code "input 3"}, {@code "output 1"} or {@code "envelope"}. */
  @Override
  public String toString() {
    return switch (kind) {
      case GLOBAL -> "global";
      case ENVELOPE -> "envelope";
      case INPUT -> "input " + index;
      case OUTPUT -> "output " + index;
    };
  }
}
