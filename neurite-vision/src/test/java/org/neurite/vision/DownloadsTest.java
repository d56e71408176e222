package org.neurite.vision;

import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Never touches the network: the one fetch goes to a closed port on this machine. */
class DownloadsTest {
  @Test
  void offlineFailsFastWithWhatToDo(@TempDir Path dir) {
    var closed = new Downloads.Source("MNIST", "http://127.0.0.1:1/", List.of("t10k-labels-idx1-ubyte.gz"));
    assertMessage(IOException.class, () -> Downloads.fetch(closed, dir),
        "no network: download MNIST from http://127.0.0.1:1/ and pass --data PATH");
  }
}
