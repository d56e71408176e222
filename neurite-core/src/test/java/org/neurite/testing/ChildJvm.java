package org.neurite.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test class's {@code main}, for tests that kill a process (kill -9) at a chosen
 * moment: the same java binary and class path as the test, {@code jdk.incubator.vector} when the test's
 * JVM has it, one kernel thread. Its standard output is read line by line on a daemon thread, so the test can wait for a
 * line and then kill. Part of neurite-core's test-jar.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());

  private ChildJvm(Process p) {
    this.process = p;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          all.add(l);
          lines.add(l);
        }
      } catch (IOException ignored) {
        // the process was killed
      }
    }, "child-jvm-reader");
    t.setDaemon(true);
    t.start();
  }

  /** Starts {@code main} of {@code mainClass} with {@code args}. */
  public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    return start(List.of(), mainClass, args);
  }

  /** As {@link #start(Class, String...)}, with extra JVM options (e.g. {@code -Dneurite.simd=false}). */
  public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    List<String> cmd = new ArrayList<>(List.of(java));
    // The Vector API only when this JVM has it, so the suite's run without the module stays without it.
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-Dneurite.threads=1", "-Xmx512m", "-XX:+UseSerialGC", "-Xshare:auto", "-cp",
        System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    return new ChildJvm(pb.start());
  }

  /** Waits for a line starting with {@code prefix}; returns it, or fails after {@code seconds}. */
  public String await(String prefix, double seconds) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    while (true) {
      long left = deadline - System.nanoTime();
      String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (l == null)
        throw new AssertionError("child did not print \"" + prefix + "\" within " + seconds + " s (alive=" + process.isAlive()
            + "); it printed: " + String.join(" | ", all));
      if (l.startsWith(prefix)) return l;
    }
  }

  /** kill -9 (SIGKILL on POSIX: no shutdown hooks, no finally blocks), then waits for the process to end. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM (shutdown hooks run), then waits for the process to end. */
  public void terminate() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Waits for a normal exit and returns its status; fails after {@code seconds}. */
  public int waitFor(double seconds) throws InterruptedException {
    if (!process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not finish within " + seconds + " s; it printed: " + String.join(" | ", all));
    }
    return process.exitValue();
  }

  public List<String> output() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
