package org.neurite.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The garbage collector for the workload. The launcher starts every command on ParallelGC with a small
 * (170 MiB) eden and deep survivor spaces: the fastest and leanest choice for small inputs (MNIST,
 * CIFAR-10, text). Large image batches are the other way round: a step then keeps gigabytes of
 * activations alive, which every young collection copies again (the seed CNN at 3x224x224, batch 16,
 * trained at 0.43x PyTorch's speed with a 9.9 GB peak), while G1 allocates such arrays straight into old
 * regions (1.78x, 2.5 GB). The workload is known only once the command has read its options and data,
 * after the JVM started, so a command that finds its input batches large restarts itself on G1, once,
 * with the same arguments.
 *
 * <p>The serial collector was tried in G1's place, now that a workspace recycles a step's arrays: the
 * benchmark's training loop stayed at 1.75 GB where G1's heap grew to 2.5-3.4 GB from run to run (the
 * first, not yet compiled steps allocate boxed vectors by the gigabyte, and G1 expands on the pause-time
 * ratio that garbage causes; {@code train.Warmup} now compiles the kernels first, and G1 stays at 1.7-1.8
 * GB). But the serial collector expands its old generation rather than collect it
 * whenever something large lands there, up to the maximum heap: `train image` at 224x224 on 1,000 images,
 * whose loading, evaluation and checkpoints allocate dataset- and model-sized arrays straight in the old
 * generation, peaked at 5.1-6.4 GB against G1's 4.8, and a longer run would keep growing.
 *
 * <p>Only when the launcher chose the collector ({@code NEURITE_GC=auto} in the environment, which it sets
 * unless {@code NEURITE_JAVA_OPTS} names a collector) and the command came in through {@link Main#main};
 * never in tests or embedded use.
 */
final class Collector {
  private Collector() {}

  /** Input batches of at least this many bytes are large: 3x224x224 at batch 16 is 9.6 MB, CIFAR-10 at 64 is 0.8 MB. */
  static final long LARGE_BATCH_BYTES = org.neurite.train.Warmup.LARGE_BATCH_BYTES;

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

  /** The same JVM options less ParallelGC and its young-generation sizing, plus G1, then the jar and the arguments. */
  static List<String> restartCommand(String java, List<String> jvmOptions, String jar, String[] args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String opt : jvmOptions)
      if (!opt.equals("-XX:+UseParallelGC") && !opt.startsWith("-Xmn") && !opt.startsWith("-XX:SurvivorRatio=")
          && !opt.equals("-XX:-UseAdaptiveSizePolicy")) cmd.add(opt);
    cmd.add("-XX:+UseG1GC");
    cmd.add("-jar");
    cmd.add(jar);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Restarts the process on G1 and exits with the restarted command's status when batches of
   * {@code batchBytes} bytes are large, the launcher chose ParallelGC and {@code command} is the command the
   * user typed (not a step of {@code demo}); otherwise returns.
   */
  static void forBatches(String command, long batchBytes) {
    String[] a = args;
    if (!shouldRestart(a, command, batchBytes, System.getenv("NEURITE_GC"))) return;
    // A batch the heap cannot hold fails either way: let this JVM say why, without a restart note first.
    if (batchBytes > Runtime.getRuntime().maxMemory()) return;
    String java = ProcessHandle.current().info().command().orElse(null);
    String jar = System.getProperty("java.class.path", "");
    if (java == null || jar.isEmpty() || !System.getProperty("sun.java.command", "").startsWith(jar)) return;   // not java -jar
    List<String> cmd = restartCommand(java, ManagementFactory.getRuntimeMXBean().getInputArguments(), jar, a);
    System.err.printf(Locale.ROOT, "neurite: input batches of %.1f MB: restarting on the G1 collector, which keeps large"
        + " activations out of the young generation (NEURITE_JAVA_OPTS=-XX:+UseParallelGC keeps ParallelGC)%n",
        batchBytes / 1e6);
    System.err.flush();
    System.out.flush();
    int status;
    try {
      status = runInPlace(cmd, Map.of("NEURITE_GC", "g1"));
    } catch (java.io.IOException e) {
      System.err.println("neurite: could not restart on G1 (" + e.getMessage() + "); continuing on ParallelGC");
      return;
    }
    System.exit(status);
  }

  /**
   * Runs {@code cmd} on this process's standard streams with {@code env} added, and returns its exit
   * status (130 if this thread is interrupted). This process only waits: if it is terminated meanwhile
   * (SIGTERM, Ctrl-C), a shutdown hook takes the child down with it, so no orphan keeps training.
   */
  static int runInPlace(List<String> cmd, Map<String, String> env) throws java.io.IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().putAll(env);
    // The hook goes in before the child starts: a SIGTERM right after the start must still reach it.
    var started = new java.util.concurrent.atomic.AtomicReference<Process>();
    var stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Thread hook = new Thread(() -> {
      synchronized (started) {
        stopping.set(true);
        if (started.get() != null) started.get().destroy();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    Process child;
    synchronized (started) {   // a hook that ran first leaves nothing to start; one running now waits, then ends the child
      if (stopping.get()) return 143;
      child = pb.start();
      started.set(child);
    }
    try {
      return child.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroy();
      return 130;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: it ends the child
      }
    }
  }
}
