package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Dense;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;

/**
 * Files whose reported size lies: devices and pipes report 0 bytes, so every reader must refuse
 * what is not a regular file and stop at its own limit whatever the size said.
 */
class SpecialFilesTest {
  @TempDir
  Path dir;

  private Path model() throws IOException {
    Seeds.set(1);
    Path m = dir.resolve("m");
    ModelFiles.save(Sequential.of(new Dense(2)).input(3), m);
    return m;
  }

  @Test
  void aConfigThatLinksToDevZeroIsRefusedNotRead() throws IOException {
    assumeTrue(Files.exists(Path.of("/dev/zero")));
    Path m = model();
    Files.delete(m.resolve("config.json"));
    Files.createSymbolicLink(m.resolve("config.json"), Path.of("/dev/zero"));
    assertMessage(IOException.class, () -> ModelFiles.load(m), "config.json", "not a regular file");
    assertMessage(IOException.class, () -> ModelFiles.metadata(m), "config.json", "not a regular file");
  }

  @Test
  void weightsThatAreANamedPipeAreRefusedInsteadOfHanging() throws Exception {
    Path m = model();
    Files.delete(m.resolve("model.safetensors"));
    assumeTrue(mkfifo(m.resolve("model.safetensors")));
    assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertMessage(IOException.class, () -> ModelFiles.load(m), "model.safetensors", "not a regular file"));
    Path npy = dir.resolve("x.npy");
    assumeTrue(mkfifo(npy));
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertMessage(IOException.class, () -> Npy.read(npy), "not a regular file"));
  }

  @Test
  void aFolderWhereAFileShouldBeIsNamedAsSuch() throws IOException {
    Path m = model();
    Files.delete(m.resolve("config.json"));
    Files.createDirectories(m.resolve("config.json"));
    assertMessage(IOException.class, () -> ModelFiles.load(m), "config.json", "is a folder");
  }

  @Test
  void aConfigOverItsLimitIsRefusedBeforeReading() throws IOException {
    Path m = model();
    try (var f = java.nio.channels.FileChannel.open(m.resolve("config.json"), java.nio.file.StandardOpenOption.WRITE)) {
      f.write(ByteBuffer.wrap(new byte[] {' '}), 3L << 30);   // sparse: 3 GiB reported, nothing stored
    }
    assertMessage(IOException.class, () -> ModelFiles.load(m), "config.json", "expected at most 16777216 bytes");
    assertMessage(IOException.class, () -> ModelFiles.metadata(m), "config.json", "expected at most 16777216 bytes");
  }

  @Test
  void boundedReadingReadsSmallFilesWhole() throws IOException {
    Path f = dir.resolve("a.bin");
    byte[] b = new byte[100_000];
    for (int i = 0; i < b.length; i++) b[i] = (byte) i;
    Files.write(f, b);
    assertArrayEquals(b, BoundedFiles.readAllBytes(f, b.length, "test"));
    assertMessage(IOException.class, () -> BoundedFiles.readAllBytes(f, b.length - 1, "test"), "100000 bytes", "at most 99999");
    assertMessage(IOException.class, () -> BoundedFiles.readAllBytes(dir.resolve("none"), 10, "test"), "no such file");
  }

  @Test
  void safetensorsWhoseTensorsOverlapOrLeaveHolesAreRefused() throws IOException {
    String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%d,%d]}}";
    assertMessage(IOException.class, () -> SafeTensors.read(st(String.format(two, 4, 12), 12)), "tensor \"b\"", "overlaps");
    assertMessage(IOException.class, () -> SafeTensors.read(st(String.format(two, 0, 8), 8)), "overlaps");
    assertMessage(IOException.class, () -> SafeTensors.read(st(String.format(two, 12, 20), 20)), "tensor \"b\"", "a hole");
    assertMessage(IOException.class, () -> SafeTensors.read(st(String.format(two, 8, 16), 24)), "cover 16 bytes", "holds 24");
    SafeTensors.read(st(String.format(two, 8, 16), 16));   // tiles the data: fine
    // Out of header order but tiling: fine, as the reference reader.
    SafeTensors.read(st("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8));
  }

  @Test
  void oneArrayLargerThanTheOldGenerationIsRefusedEvenIfTheHeapHasRoom() {
    long max = Runtime.getRuntime().maxMemory();
    assertMessage(Heap.TooLargeException.class, () -> Heap.requireArray("read x", max + 1), "read x", "-Xmx");
    Heap.requireArray("read y", 1 << 20);
  }

  private Path st(String header, int data) throws IOException {
    return UntrustedFilesTest.safetensors(dir, header, data);
  }

  private static boolean mkfifo(Path p) {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
