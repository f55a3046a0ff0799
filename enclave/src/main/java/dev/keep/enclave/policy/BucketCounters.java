package dev.keep.enclave.policy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Counters} of fixed size, however many charges a key makes: each charge is added to one
 * time bucket at every {@link Level}, and a window is answered from the finest level that spans it.
 * The state is {@link #LEVELS}' 316 buckets (a count and a sats sum each), so a key's sealed
 * state stays a few KiB where a list of every charge grew until it no longer fit a DynamoDB item.
 *
 * <p>The approximation errs towards denying. A window of length W at {@code now} is summed over
 * every bucket that overlaps {@code (now - W, now]} (and every later one): a charge counts for at
 * least W and at most W plus the level's bucket width, never less. The widths, and so how much
 * longer a charge may count:
 *
 * <table>
 *   <caption>levels</caption>
 *   <tr><th>windows up to</th><th>bucket</th><th>counts at most this much longer</th></tr>
 *   <tr><td>126 s (1m)</td><td>2 s</td><td>2 s</td></tr>
 *   <tr><td>63 min (1h)</td><td>1 min</td><td>1 min</td></tr>
 *   <tr><td>24.5 h (24h, 1d)</td><td>30 min</td><td>30 min</td></tr>
 *   <tr><td>7 d 4 h (7d)</td><td>4 h</td><td>4 h</td></tr>
 *   <tr><td>39 d</td><td>1 d</td><td>1 d</td></tr>
 *   <tr><td>371 d (365 d)</td><td>7 d</td><td>7 d</td></tr>
 * </table>
 *
 * <p>A clock that steps back: a charge dated before a level's oldest bucket is added to that
 * bucket, so it counts longer, not shorter. A clock that steps back further than a level spans
 * can make that level forget charges made in the future it came back from; the enclave's clock is
 * the hypervisor's, and host clock control is listed as not defended in the README.
 */
public final class BucketCounters implements Counters {
  /** One resolution: {@code buckets} buckets of {@code width} seconds, a ring. */
  record Level(long width, int buckets) {
    /** The longest window this level answers without having dropped a bucket it needs. */
    long longestWindow() {
      return (buckets - 1) * width;
    }
  }

  static final List<Level> LEVELS = List.of(
      new Level(2, 64),
      new Level(60, 64),
      new Level(1_800, 50),
      new Level(14_400, 44),
      new Level(86_400, 40),
      new Level(604_800, 54));

  /** Format version of {@link #encode()}. */
  private static final int FORMAT = 1;

  /** Per level: the newest bucket's index (epoch seconds / width), or {@link Long#MIN_VALUE} when empty. */
  private final long[] newest = new long[LEVELS.size()];
  private final long[][] counts = new long[LEVELS.size()][];
  private final long[][] sats = new long[LEVELS.size()][];

  public BucketCounters() {
    Arrays.fill(newest, Long.MIN_VALUE);
    for (int l = 0; l < LEVELS.size(); l++) {
      counts[l] = new long[LEVELS.get(l).buckets()];
      sats[l] = new long[LEVELS.get(l).buckets()];
    }
  }

  static {
    if (LEVELS.getLast().longestWindow() < Window.MAX_SECONDS) {
      throw new ExceptionInInitializerError("the coarsest level must answer the longest window");
    }
  }

  @Override
  public synchronized long count(Instant now, Duration window) {
    return sum(counts, now, window);
  }

  @Override
  public synchronized long amount(Instant now, Duration window) {
    return sum(sats, now, window);
  }

  @Override
  public synchronized void charge(Instant at, long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("charged sats must not be negative");
    }
    long t = at.getEpochSecond();
    for (int l = 0; l < LEVELS.size(); l++) {
      Level level = LEVELS.get(l);
      long index = Math.floorDiv(t, level.width());
      advance(l, index);
      // Older than the ring (the clock stepped back): the oldest bucket, which counts it longer.
      int slot = slot(level, Math.max(index, newest[l] - level.buckets() + 1));
      counts[l][slot] = saturatedAdd(counts[l][slot], 1);
      sats[l][slot] = saturatedAdd(sats[l][slot], amount);
    }
  }

  /** The level that answers {@code window}: the finest that still holds every bucket it overlaps. */
  static int levelFor(Duration window) {
    long w = window.getSeconds();
    for (int l = 0; l < LEVELS.size(); l++) {
      if (LEVELS.get(l).longestWindow() >= w) {
        return l;
      }
    }
    throw new IllegalArgumentException("window of " + w + " s is longer than the counters keep");
  }

  private long sum(long[][] values, Instant now, Duration window) {
    int l = levelFor(window);
    if (newest[l] == Long.MIN_VALUE) {
      return 0;
    }
    Level level = LEVELS.get(l);
    // The bucket holding now - W overlaps the window unless it ends there; it is counted whole.
    long lower = Math.floorDiv(now.getEpochSecond() - window.getSeconds(), level.width());
    long from = Math.max(lower, newest[l] - level.buckets() + 1);
    long total = 0;
    for (long b = from; b <= newest[l]; b++) {
      total = saturatedAdd(total, values[l][slot(level, b)]);
    }
    return total;
  }

  /** Makes {@code index} the newest bucket of level {@code l}, emptying the buckets it passes. */
  private void advance(int l, long index) {
    Level level = LEVELS.get(l);
    if (newest[l] == Long.MIN_VALUE) {
      newest[l] = index;
      return;
    }
    if (index <= newest[l]) {
      return;
    }
    long steps = Math.min(index - newest[l], level.buckets());
    for (long k = 1; k <= steps; k++) {
      int slot = slot(level, newest[l] + k);
      counts[l][slot] = 0;
      sats[l][slot] = 0;
    }
    newest[l] = index;
  }

  private static int slot(Level level, long index) {
    return (int) Math.floorMod(index, (long) level.buckets());
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum; // both are non-negative
  }

  /**
   * The counters as bytes, for the sealed state: the format version, then per level the newest
   * bucket's index (zigzag varint) and each bucket's count and sats (varints), oldest first. At
   * most 1 + 6 x 10 + 316 x 19 bytes; about 640 for a key with few charges.
   */
  public synchronized byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    out.write(FORMAT);
    for (int l = 0; l < LEVELS.size(); l++) {
      Level level = LEVELS.get(l);
      writeVarint(out, (newest[l] << 1) ^ (newest[l] >> 63));
      for (int i = 0; i < level.buckets(); i++) {
        long b = newest[l] - level.buckets() + 1 + i;
        int slot = slot(level, b);
        writeVarint(out, newest[l] == Long.MIN_VALUE ? 0 : counts[l][slot]);
        writeVarint(out, newest[l] == Long.MIN_VALUE ? 0 : sats[l][slot]);
      }
    }
    return out.toByteArray();
  }

  /** The inverse of {@link #encode()}; exactly that, or an {@link IllegalArgumentException}. */
  public static BucketCounters decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (!in.hasRemaining() || in.get() != FORMAT) {
      throw new IllegalArgumentException("counters: unknown format");
    }
    BucketCounters c = new BucketCounters();
    for (int l = 0; l < LEVELS.size(); l++) {
      Level level = LEVELS.get(l);
      long zz = readVarint(in);
      c.newest[l] = (zz >>> 1) ^ -(zz & 1);
      for (int i = 0; i < level.buckets(); i++) {
        long count = readVarint(in);
        long amount = readVarint(in);
        if (count < 0 || amount < 0) {
          throw new IllegalArgumentException("counters: a bucket is negative");
        }
        if (c.newest[l] != Long.MIN_VALUE) {
          int slot = slot(level, c.newest[l] - level.buckets() + 1 + i);
          c.counts[l][slot] = count;
          c.sats[l][slot] = amount;
        } else if (count != 0 || amount != 0) {
          throw new IllegalArgumentException("counters: an empty level holds charges");
        }
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("counters: trailing bytes");
    }
    return c;
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long readVarint(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!in.hasRemaining()) {
        throw new IllegalArgumentException("counters: truncated");
      }
      byte b = in.get();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("counters: a varint is too long");
  }
}
