package org.neurite.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The garbage collector for the workload. The launcher starts every command on ParallelGC with a small
 * (170 MiB) eden and deep survivor spaces: the fastest and leanest choice for small inputs (MNIST,
 * CIFAR-10, text). Large image batches are the other way round: a step's activations, hundreds of
 * megabytes that a workspace recycles from step to step, outgrow those survivor spaces, and ParallelGC
 * then grows its old generation instead of collecting it (the seed CNN at 3x224x224, batch 16: 3.2 GB
 * peak, where PyTorch needs 1.5). The serial collector sizes its heap by how full it is after a
 * collection, not by pause times: 1.75 GB, and as fast (34 samples/s against G1's 33 and PyTorch's 16).
 * G1, the choice before, expanded its heap to 2.0-3.4 GB from run to run while the first steps ran
 * in not yet compiled code that allocates boxed vectors by the gigabyte. The workload is known only once
 * the command has read its options and data, after the JVM started, so a command that finds its input
 * batches large restarts itself on the serial collector, once, with the same arguments.
 *
 * <p>Only when the launcher chose the collector ({@code NEURITE_GC=auto} in the environment, which it sets
 * unless {@code NEURITE_JAVA_OPTS} names a collector) and the command came in through {@link Main#main};
 * never in tests or embedded use.
 */
final class Collector {
  private Collector() {}

  /** Input batches of at least this many bytes are large: 3x224x224 at batch 16 is 9.6 MB, CIFAR-10 at 64 is 0.8 MB. */
  static final long LARGE_BATCH_BYTES = 8L << 20;

  /** The command line of this process, set by {@link Main#main}; null when Neurite runs embedded or in tests. */
  static volatile String[] args;

  /** Whether to restart: large batches, the launcher's ParallelGC ({@code gcEnv} "auto"), {@code command} typed by the user. */
  static boolean shouldRestart(String[] args, String command, long batchBytes, String gcEnv) {
    if (args == null || batchBytes < LARGE_BATCH_BYTES || !"auto".equals(gcEnv)) return false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--threads")) i++;   // Main's one global option with a separate value
      else if (!args[i].startsWith("-")) return args[i].equals(command);
    }
    return false;
  }

  /** The same JVM options less ParallelGC and its young-generation sizing, plus SerialGC, then the jar and the arguments. */
  static List<String> restartCommand(String java, List<String> jvmOptions, String jar, String[] args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String opt : jvmOptions)
      if (!opt.equals("-XX:+UseParallelGC") && !opt.startsWith("-Xmn") && !opt.startsWith("-XX:SurvivorRatio=")
          && !opt.equals("-XX:-UseAdaptiveSizePolicy")) cmd.add(opt);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-jar");
    cmd.add(jar);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Restarts the process on the serial collector and exits with the restarted command's status when batches of
   * {@code batchBytes} bytes are large, the launcher chose ParallelGC and {@code command} is the command the
   * user typed (not a step of {@code demo}); otherwise returns.
   */
  static void forBatches(String command, long batchBytes) {
    String[] a = args;
    if (!shouldRestart(a, command, batchBytes, System.getenv("NEURITE_GC"))) return;
    String java = ProcessHandle.current().info().command().orElse(null);
    String jar = System.getProperty("java.class.path", "");
    if (java == null || jar.isEmpty() || !System.getProperty("sun.java.command", "").startsWith(jar)) return;   // not java -jar
    List<String> cmd = restartCommand(java, ManagementFactory.getRuntimeMXBean().getInputArguments(), jar, a);
    System.err.printf(Locale.ROOT, "neurite: input batches of %.1f MB: restarting on the serial collector, which keeps the"
        + " heap of large activations lean (NEURITE_JAVA_OPTS=-XX:+UseParallelGC keeps ParallelGC)%n",
        batchBytes / 1e6);
    System.err.flush();
    System.out.flush();
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().put("NEURITE_GC", "serial");
    int status;
    try {
      Process child = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));   // killed (SIGTERM): take the child along
      status = child.waitFor();
    } catch (java.io.IOException e) {
      System.err.println("neurite: could not restart on the serial collector (" + e.getMessage() + "); continuing on ParallelGC");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 130;
    }
    System.exit(status);
  }
}
