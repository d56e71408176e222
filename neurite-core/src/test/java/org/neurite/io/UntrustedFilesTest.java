package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Dense;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;

/**
 * Files from outside: declared sizes are checked before allocating, paths named by a model stay in
 * its directory, a save killed half-way is recovered, and no Java serialization is used anywhere.
 */
class UntrustedFilesTest {
  @TempDir
  Path dir;

  @Test
  void pathsFromAModelStayInsideItsDirectory() throws IOException {
    Path m = Files.createDirectories(dir.resolve("model"));
    assertEquals(m.toAbsolutePath().normalize().resolve("weights/part1.bin"), ModelFiles.resolveInside(m, "weights/part1.bin"));
    for (String bad : List.of("../secret", "/etc/passwd", "a/../../b", "", "."))
      assertMessage(IOException.class, () -> ModelFiles.resolveInside(m, bad), "not a file inside its directory");
    Files.writeString(dir.resolve("outside.txt"), "x");
    Files.createSymbolicLink(m.resolve("link"), dir.resolve("outside.txt"));
    assertMessage(IOException.class, () -> ModelFiles.resolveInside(m, "link"), "a link that leads outside its directory");
  }

  @Test
  void aConfigAskingForMoreThanTheHeapFailsBeforeBuilding() throws IOException {
    Path m = Files.createDirectories(dir.resolve("big"));
    Files.writeString(m.resolve("config.json"), "{\"format_version\":1,\"class\":\"Sequential\",\"input_shape\":[100000],"
        + "\"layers\":[{\"class\":\"Dense\",\"config\":{\"units\":1000000}}]}");
    Files.write(m.resolve("model.safetensors"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertMessage(IOException.class, () -> ModelFiles.load(m), "config.json", "more than 2^33 parameters");
    Files.writeString(m.resolve("config.json"), "{\"format_version\":1,\"class\":\"Sequential\",\"input_shape\":[60000],"
        + "\"layers\":[{\"class\":\"Dense\",\"config\":{\"units\":100000}}]}");
    assertMessage(IOException.class, () -> ModelFiles.load(m), "6000100000 parameters", "MiB of heap", "-Xmx");
  }

  @Test
  void safetensorsOffsetsAndShapesAreCheckedAgainstTheFile() throws IOException {
    assertMessage(IOException.class, () -> SafeTensors.read(st("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],"
        + "\"data_offsets\":[0,0]}}", 0)), "tensor \"w\"", "more than 2^31 elements");
    assertMessage(IOException.class, () -> SafeTensors.read(st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
        + "\"data_offsets\":[0,99999999999999999999]}}", 8)), "tensor \"w\" F32 [2] needs 8 bytes");
    assertMessage(IOException.class, () -> SafeTensors.read(st("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],"
        + "\"data_offsets\":[0,4]}}", 8)), "must hold integers >= 0");
    assertMessage(IOException.class, () -> SafeTensors.read(st("{\"w\":1, \"w\":2}", 0)), "not valid JSON", "Duplicate");
    assertMessage(IOException.class, () -> SafeTensors.read(st("{\"a\nb\":{}}", 0)), "not valid JSON");
  }

  private Path st(String header, int data) throws IOException {
    return safetensors(dir, header, data);
  }

  /** {@code dir/t.safetensors}: the header, then {@code data} zero bytes. */
  static Path safetensors(Path dir, String header, int data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path f = dir.resolve("t.safetensors");
    Files.write(f, b.array());
    return f;
  }

  @Test
  void aSaveKilledBetweenItsTwoRenamesIsRecoveredOnLoad() throws IOException {
    Seeds.set(1);
    Sequential model = Sequential.of(new Dense(3)).input(2);
    ModelFiles.save(model, dir.resolve("m"));
    // What a kill between "rename NAME to .NAME.old-X" and "rename .NAME.tmp-Y to NAME" leaves behind:
    Files.move(dir.resolve("m"), dir.resolve(".m.old-abc"));
    Files.createDirectories(dir.resolve(".m.tmp-def"));
    assertFalse(Files.exists(dir.resolve("m")));
    assertEquals(ModelFiles.config(model), ModelFiles.config(ModelFiles.load(dir.resolve("m"))));
    assertTrue(Files.isDirectory(dir.resolve("m")));
    assertFalse(Files.exists(dir.resolve(".m.old-abc")));
  }

  @Test
  void savedFilesGetTheUsualPermissionsNotThoseOfATemporaryFile() throws IOException {
    Path f = dir.resolve("v.bin");
    AtomicFiles.write(f, new byte[] {1});
    Files.write(dir.resolve("plain.bin"), new byte[] {1});
    assertEquals(Files.getPosixFilePermissions(dir.resolve("plain.bin")), Files.getPosixFilePermissions(f));
  }

  /** No class of Neurite reads Java serialization (ObjectInputStream): a gadget chain needs only that. */
  @Test
  void noJavaSerializationInAnyModule() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    int files = 0;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")).toList()) {
        String src = Files.readString(p);
        files++;
        for (String banned : List.of("ObjectInputStream", "readObject(", "readUnshared(", "XMLDecoder"))
          assertFalse(src.contains(banned), p + " uses " + banned);
      }
    }
    assertTrue(files > 50, "found the sources (" + files + " files under " + root + ")");
  }
}
