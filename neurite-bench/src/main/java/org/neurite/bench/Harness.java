package org.neurite.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The timing protocol and JSON-lines output of the peer scripts ({@code shared/peers/common.py}),
 * line for line, so every Neurite measurement pairs with a peer's by workload and params.
 *
 * <p>Protocol: {@code warmup} untimed calls (and more, up to 2 s, until the JIT has compiled the hot
 * code); the calls per repetition ({@code inner}) chosen so one
 * repetition lasts at least {@code minRepS}; {@code reps} timed repetitions; throughput =
 * units * inner / seconds. {@code other_cpu} is the CPU that other processes used meanwhile (a noise
 * indicator: above ~0.2 cores on 2 cores the figures are depressed by a neighbour).
 *
 * <p>Not thread-safe: one harness prints one benchmark's lines to its stream, from one thread.
 */
public final class Harness {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NCPU = Runtime.getRuntime().availableProcessors();
  private static final double CLK_TCK = 100.0;   // USER_HZ: 100 on every Linux architecture we run on

  private static final long JIT_WARMUP_NS = 2_000_000_000L;
  private final PrintStream out;

  /**
   * A harness printing to {@code out}.
   *
   * @param out where the JSON lines go
   */
  public Harness(PrintStream out) {
    this.out = out;
  }

  /**
   * Medians and spread of one measurement, as common.py's bench() returns them.
   *
   * @param median the median rate over the repetitions, units per second
   * @param min the lowest rate
   * @param max the highest rate
   * @param reps timed repetitions
   * @param inner calls per repetition
   * @param repS the median seconds of one repetition
   * @param otherCpu the median cores used by other processes meanwhile
   * @param steal the median cores taken by the hypervisor (steal time) meanwhile
   */
  public record Stats(double median, double min, double max, int reps, int inner, double repS, double otherCpu,
                      double steal) {}

  /**
   * Times {@code fn}, each call worth {@code unitsPerCall} units (samples, GFLOP).
   *
   * @param fn the work to time
   * @param unitsPerCall what one call is worth, in the reported unit
   * @param reps timed repetitions
   * @param warmup the fewest untimed calls first (more run until the JIT has had 2 s)
   * @param minRepS the least seconds one repetition lasts: short calls run several times within it
   * @param maxInner the most calls per repetition
   * @return the rates and the noise measured
   */
  public Stats bench(Runnable fn, double unitsPerCall, int reps, int warmup, double minRepS, int maxInner) {
    // Warm-up: the peers' call count, and then more until the JIT has compiled the hot loops (the
    // first calls run interpreted code; timing them would measure the JVM's start-up, not the kernel).
    long t = System.nanoTime();
    int w = 0;
    while (w < Math.max(1, warmup) || (System.nanoTime() - t < JIT_WARMUP_NS && w < 10_000)) {
      fn.run();
      w++;
    }
    t = System.nanoTime();
    fn.run();
    double one = (System.nanoTime() - t) / 1e9;
    int inner = (int) Math.min(maxInner, Math.max(1, Math.ceil(minRepS / Math.max(one, 1e-9))));
    double[] rates = new double[reps], secs = new double[reps], others = new double[reps], steals = new double[reps];
    for (int r = 0; r < reps; r++) {
      NoiseMeter meter = new NoiseMeter();
      long t0 = System.nanoTime();
      for (int i = 0; i < inner; i++) fn.run();
      double dt = (System.nanoTime() - t0) / 1e9;
      double[] noise = meter.stop();
      rates[r] = unitsPerCall * inner / dt;
      secs[r] = dt;
      others[r] = noise[0];
      steals[r] = noise[1];
    }
    return new Stats(median(rates), Arrays.stream(rates).min().orElse(0), Arrays.stream(rates).max().orElse(0), reps, inner,
        round(median(secs), 4), round(median(others), 3), round(median(steals), 3));
  }

  /**
   * Prints one JSON line with the peer scripts' keys, {@code "peer": "neurite"}.
   *
   * @param workload the peer's workload name
   * @param params the workload's parameters, as the peer names them
   * @param metric the unit, such as {@code "samples/s"}
   * @param st the measurement
   * @param threads kernel threads used
   * @param extra more top-level keys, or {@code null}
   */
  public void emit(String workload, Map<String, Object> params, String metric, Stats st, int threads,
                                  Map<String, Object> extra) {
    ObjectNode rec = JSON.createObjectNode();
    rec.put("workload", workload);
    rec.put("peer", "neurite");
    rec.set("params", JSON.valueToTree(params));
    rec.put("metric", metric);
    rec.put("median", roundRate(st.median()));
    rec.put("min", roundRate(st.min()));
    rec.put("max", roundRate(st.max()));
    rec.put("reps", st.reps());
    rec.put("inner", st.inner());
    rec.put("rep_s", st.repS());
    rec.put("other_cpu", st.otherCpu());
    rec.put("steal", st.steal());
    rec.put("threads", threads);
    rec.put("peak_rss_mib", round(peakRssMib(), 1));
    if (extra != null) extra.forEach((k, v) -> rec.set(k, JSON.valueToTree(v)));
    ObjectNode env = rec.putObject("env");
    env.put("java", System.getProperty("java.version"));
    env.put("vector_bits", org.neurite.kernels.Simd.VECTOR_BITS);   // 0: scalar kernels, no Vector API
    out.println(rec);
    out.flush();
  }

  /**
   * A measured value that is not a rate (peak RSS): median = min = max.
   *
   * @param v the value
   * @return stats of one repetition whose median, min and max are {@code v}
   */
  public static Stats single(double v) {
    return new Stats(v, v, v, 1, 1, 0, 0, 0);
  }

  /**
   * Parameters in the order given, for {@link #emit}.
   *
   * @param kv keys (strings) and values, alternating
   * @return the pairs, in order
   */
  public static Map<String, Object> params(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  static double roundRate(double v) {
    return round(v, v < 1000 ? 3 : 1);
  }

  static double round(double v, int digits) {
    double s = Math.pow(10, digits);
    return Math.round(v * s) / s;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? 0 : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * Peak resident set size of this process (VmHWM), MiB; 0 where /proc is missing.
   *
   * @return VmHWM in MiB
   */
  public static double peakRssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status")))
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
    } catch (IOException | NumberFormatException ignored) {
      // not Linux: report 0 rather than fail the benchmark
    }
    return 0;
  }

  /**
   * CPU used by other processes, and hypervisor steal, in cores, from construction to {@link #stop}
   * (common.py's NoiseMeter): machine-wide busy jiffies from /proc/stat minus this process's CPU time.
   */
  public static final class NoiseMeter {
    /** Starts measuring now. */
    public NoiseMeter() {}

    private final long t0 = System.nanoTime(), self0 = processCpuNanos();
    private final long[] stat0 = procStat();

    /**
     * {other processes' cores, steal cores}; zeros where /proc is missing.
     *
     * @return other processes' cores and steal cores, averaged since construction
     */
    public double[] stop() {
      double dt = (System.nanoTime() - t0) / 1e9;
      long[] stat1 = procStat();
      if (stat0 == null || stat1 == null) return new double[2];
      double others = (stat1[0] - stat0[0]) / CLK_TCK - (processCpuNanos() - self0) / 1e9;
      return new double[] {Math.max(0, others / dt), (stat1[1] - stat0[1]) / CLK_TCK / dt};
    }

    private static long processCpuNanos() {
      var os = ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    // Machine-wide busy and steal jiffies from the first line of /proc/stat.
    private static long[] procStat() {
      try {
        String[] p = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long[] v = new long[8];
        for (int i = 1; i < p.length && i <= 8; i++) v[i - 1] = Long.parseLong(p[i]);
        return new long[] {v[0] + v[1] + v[2] + v[5] + v[6], v[7]};
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }

  static int ncpu() {
    return NCPU;
  }
}
