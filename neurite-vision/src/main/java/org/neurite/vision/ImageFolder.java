package org.neurite.vision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.neurite.io.BoundedFiles;
import org.neurite.io.Heap;
import org.neurite.tensor.Tensor;

/**
 * Images sorted into one folder per class, as torchvision's {@code ImageFolder}: the class names are
 * the subfolder names in sorted order (label i is the i-th name), and each class holds the
 * {@code .png}, {@code .jpg}, {@code .jpeg} and {@code .bmp} files anywhere below its folder (other
 * files are skipped, as are names starting with a dot and {@code __MACOSX}). Every image is decoded
 * up front and resized to one size ({@link Images} says how). The same layout may come zipped: inside
 * a zip, leading folders shared by every image are skipped while the images stay at least
 * {@code folder/class/file} deep, so {@code train/cat/0001.jpg} has class {@code cat}. Not lazy:
 * for sets that do not fit in memory, this is the wrong tool.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class ImageFolder {
  private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp");
  /** More entries than this in an image zip is refused before any is read (CIFAR-10 has 60,000). */
  static final int MAX_ZIP_ENTRIES = 1 << 22;

  private ImageFolder() {}

  /**
   * The images under {@code path} (a folder, or a {@code .zip} file) as {@code [N, channels, height, width]}
   * in [0, 1] with their class indices, in class order and then file order.
   *
   * @param path a folder with one subfolder of images per class, or a {@code .zip} of one
   * @param channels 1 (grey) or 3 (RGB)
   * @param height the image height; a picture of another size is resized
   * @param width the image width
   * @return the images and their labels, the class names sorted
   * @throws IOException if the folder or zip cannot be read or is not laid out so, or an image cannot be decoded
   */
  public static ImageDataset load(Path path, int channels, int height, int width) throws IOException {
    if (channels != 1 && channels != 3)
      throw new IllegalArgumentException("ImageFolder: channels=" + channels + ", expected 1 (grey) or 3 (RGB)");
    Images.checkSize("ImageFolder", height, width);
    if (Files.isDirectory(path)) return fromDirectory(path, channels, height, width);
    if (Files.isRegularFile(path) && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip"))
      return fromZip(path, channels, height, width);
    throw new IOException(path + ": expected a folder with one subfolder per class, or a .zip of one, found "
        + (Files.exists(path) ? "a file that is not a .zip" : "nothing"));
  }

  /** A file to decode: its name for errors, its label, and how to read it. */
  private record Item(String name, int label, Source source) {}

  private interface Source {
    byte[] read() throws IOException;
  }

  private static ImageDataset fromDirectory(Path dir, int channels, int height, int width) throws IOException {
    List<Path> classDirs;
    try (Stream<Path> s = Files.list(dir)) {
      classDirs = s.filter(Files::isDirectory).filter(p -> !hidden(p.getFileName().toString()))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    if (classDirs.isEmpty()) throw new IOException(dir + ": expected one subfolder per class, found none");
    List<String> classes = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    for (Path classDir : classDirs) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(classDir, FileVisitOption.FOLLOW_LINKS)) {
        files = s.filter(Files::isRegularFile).filter(p -> isImage(classDir.relativize(p).toString().replace('\\', '/')))
            .sorted(Comparator.comparing((Path p) -> p.getParent().toString()).thenComparing(p -> p.getFileName().toString()))
            .toList();
      }
      if (files.isEmpty())
        throw new IOException(classDir + ": expected .png, .jpg, .jpeg or .bmp files for class \"" + classDir.getFileName()
            + "\", found none");
      for (Path f : files)
        items.add(new Item(f.toString(), classes.size(), () -> BoundedFiles.readAllBytes(f, Images.MAX_FILE_BYTES, "image")));
      classes.add(classDir.getFileName().toString());
    }
    return decodeAll(items, classes, channels, height, width);
  }

  private static ImageDataset fromZip(Path file, int channels, int height, int width) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<String[]> paths = new ArrayList<>();
      List<ZipEntry> entries = new ArrayList<>();
      if (zip.size() > MAX_ZIP_ENTRIES)
        throw new IOException(file + ": " + zip.size() + " entries; expected at most " + MAX_ZIP_ENTRIES + " in an image archive");
      for (ZipEntry e : zip.stream().toList())
        if (!e.isDirectory() && isImage(e.getName())) {
          entries.add(e);
          paths.add(e.getName().split("/"));
        }
      int root = 0;
      while (sharedFolder(paths, root)) root++;
      // class name -> its entries; classes sorted by name, entries by folder, then file name
      TreeMap<String, List<ZipEntry>> byClass = new TreeMap<>();
      for (int i = 0; i < entries.size(); i++) {
        String[] p = paths.get(i);
        if (p.length < root + 2) continue;   // a file beside the class folders, as ImageFolder ignores
        byClass.computeIfAbsent(p[root], k -> new ArrayList<>()).add(entries.get(i));
      }
      if (byClass.isEmpty())
        throw new IOException(file + ": expected class folders of .png, .jpg, .jpeg or .bmp files, found "
            + (entries.isEmpty() ? "no image files" : "images but no class folders"));
      List<String> classes = new ArrayList<>(byClass.keySet());
      List<Item> items = new ArrayList<>();
      for (int label = 0; label < classes.size(); label++) {
        List<ZipEntry> members = byClass.get(classes.get(label));
        members.sort(Comparator.comparing((ZipEntry e) -> e.getName().substring(0, e.getName().lastIndexOf('/')))
            .thenComparing(e -> e.getName().substring(e.getName().lastIndexOf('/') + 1)));
        for (ZipEntry e : members)
          items.add(new Item(file + "!/" + org.neurite.io.Messages.clip(e.getName(), 200), label, () -> {
            try (InputStream in = zip.getInputStream(e)) {
              // The entry's declared size can lie; what inflates is what counts (a 0.7 MB bomb inflates to 700 MB).
              byte[] b = in.readNBytes(Images.MAX_FILE_BYTES + 1);
              if (b.length > Images.MAX_FILE_BYTES)
                throw new IOException(file + "!/" + org.neurite.io.Messages.clip(e.getName(), 200) + ": inflates to more than "
                    + Images.MAX_FILE_BYTES + " bytes; expected an image file of at most " + (Images.MAX_FILE_BYTES >> 20) + " MiB");
              return b;
            }
          }));
      }
      return decodeAll(items, classes, channels, height, width);
    } catch (java.util.zip.ZipException e) {
      throw new IOException(file + ": expected a zip archive, found a corrupt one (" + org.neurite.io.Messages.clip(e.getMessage(), 200) + ")", e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof Heap.TooLargeException || e.getMessage() != null && e.getMessage().startsWith(file.toString())) throw e;
      throw new IOException(file + ": expected a zip archive, found a corrupt one (" + org.neurite.io.Messages.clip(String.valueOf(e), 200) + ")", e);
    }
  }

  // True when every path has the same folder at depth d and still has a class folder and a file below it.
  private static boolean sharedFolder(List<String[]> paths, int d) {
    if (paths.isEmpty()) return false;
    String first = paths.get(0).length > d ? paths.get(0)[d] : null;
    for (String[] p : paths)
      if (p.length < d + 3 || !p[d].equals(first)) return false;
    return true;
  }

  private static ImageDataset decodeAll(List<Item> items, List<String> classes, int channels, int height, int width)
      throws IOException {
    long floats = (long) items.size() * channels * height * width;
    if (floats > Integer.MAX_VALUE - 8)
      throw new IOException(items.size() + " images of " + channels + "x" + height + "x" + width + " are " + floats
          + " floats, more than one Java array holds (" + (Integer.MAX_VALUE - 8) + "); use fewer images or a smaller --size");
    Heap.requireArray("load " + items.size() + " images of " + channels + "x" + height + "x" + width, 4 * floats);
    int row = channels * height * width;
    float[] x = new float[(int) floats], y = new float[items.size()];
    try (var bar = org.neurite.train.ProgressBar.start("loading images", items.size())) {
      for (int i = 0; i < items.size(); i++) {
        Item it = items.get(i);
        System.arraycopy(Images.decode(it.source.read(), it.name, channels, height, width), 0, x, i * row, row);
        y[i] = it.label;
        bar.advance(1);
      }
    }
    return new ImageDataset(Tensor.of(x, items.size(), channels, height, width), Tensor.of(y, items.size()), classes);
  }

  // relative: a '/'-separated path; hidden files and folders (".git", "__MACOSX") are skipped
  private static boolean isImage(String relative) {
    if (Arrays.stream(relative.split("/")).anyMatch(ImageFolder::hidden)) return false;
    int dot = relative.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(relative.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static boolean hidden(String name) {
    return name.startsWith(".") || name.equals("__MACOSX");
  }
}
