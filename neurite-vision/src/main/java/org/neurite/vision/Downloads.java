package org.neurite.vision;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fetches a public dataset's files for users with internet access, for the readers in this package.
 * Offline it fails fast with one line saying what to download from where, and to pass the folder
 * with {@code --data}. Only called on explicit request (never by a reader, never in tests), and no
 * checksums: the readers' format checks are the guard. Not a general HTTP client.
 *
 * <p>Thread-safe: static methods with no shared mutable state; each file is downloaded to a {@code .part}
 * file and moved into place atomically.
 */
public final class Downloads {
  /**
   * A dataset's files: {@code url} + each name.
   *
   * @param name the dataset's name, for messages
   * @param url the folder URL the file names are appended to
   * @param files the file names
   */
  public record Source(String name, String url, List<String> files) {
    /**
     * What a user without network does instead.
     *
     * @return one sentence: where to download the files by hand, and where to put them
     */
    public String hint() {
      return "download " + name + " from " + url + " and pass --data PATH";
    }
  }

  private static final List<String> IDX = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
  /** torchvision's mirror of yann.lecun.com/exdb/mnist. */
  public static final Source MNIST = new Source("MNIST", "https://ossci-datasets.s3.amazonaws.com/mnist/", IDX);
  /** Zalando's Fashion-MNIST, the same four IDX file names as MNIST. */
  public static final Source FASHION_MNIST = new Source("Fashion-MNIST",
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", IDX);
  /** The binary version; unpacked to {@code cifar-10-batches-bin/} beside it. */
  public static final Source CIFAR10 = new Source("CIFAR-10", "https://www.cs.toronto.edu/~kriz/",
      List.of("cifar-10-binary.tar.gz"));

  private Downloads() {}

  /**
   * Downloads those of {@code src}'s files missing from {@code dir} (unpacking {@code .tar.gz}); returns
   * {@code dir}.
   *
   * @param src the dataset
   * @param dir the folder to download into (created if needed)
   * @return {@code dir}
   * @throws IOException if a download fails or there is no network; the message says what to do by hand
   */
  public static Path fetch(Source src, Path dir) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    Files.createDirectories(dir);
    for (String name : src.files()) {
      Path target = dir.resolve(name), part = dir.resolve(name + ".part");
      if (Files.exists(target)) continue;
      URI uri = URI.create(src.url() + name);
      try {
        HttpResponse<Path> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofFile(part));
        if (r.statusCode() != 200)
          throw new IOException(uri + ": expected HTTP 200, found " + r.statusCode() + "; " + src.hint());
      } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
        Files.deleteIfExists(part);
        throw new IOException("no network: " + src.hint() + " (" + uri.getHost() + ": " + e.getClass().getSimpleName() + ")", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("download of " + uri + " interrupted");
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (name.endsWith(".tar.gz")) untar(target, dir);
    }
    return dir;
  }

  // Regular files of a ustar archive (reference: POSIX pax "ustar Interchange Format"); other entries skipped.
  private static void untar(Path archive, Path dir) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
      byte[] h = new byte[512];
      while (in.readNBytes(h, 0, 512) == 512 && h[0] != 0) {
        String name = field(h, 0, 100), prefix = field(h, 345, 155);
        long size = Long.parseLong(field(h, 124, 12).trim(), 8);
        Path out = dir.resolve(prefix.isEmpty() ? name : prefix + "/" + name).normalize();
        if (!out.startsWith(dir.normalize())) throw new IOException(archive + ": entry " + name + " points outside " + dir);
        if (h[156] == '0' || h[156] == 0) {
          Files.createDirectories(out.getParent());
          try (OutputStream o = Files.newOutputStream(out)) {
            byte[] buf = in.readNBytes((int) size);
            if (buf.length != size) throw new IOException(archive + ": entry " + name + " truncated");
            o.write(buf);
          }
        } else {
          in.skipNBytes(size);
        }
        in.skipNBytes((512 - size % 512) % 512);
      }
    }
  }

  private static String field(byte[] h, int from, int len) {
    int end = from;
    while (end < from + len && h[end] != 0) end++;
    return new String(h, from, end - from, StandardCharsets.US_ASCII);
  }
}
