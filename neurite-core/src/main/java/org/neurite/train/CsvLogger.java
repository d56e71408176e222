package org.neurite.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes one CSV row per epoch: a header {@code epoch,loss,...,lr} (the log keys of the first epoch,
 * in log order) and then {@code epoch} (0-based, as Keras' CSVLogger) and each value. Each row is
 * appended and closed as soon as its epoch ends, so a killed run keeps every finished epoch.
 *
 * <p>A fresh run ({@code fit} starting at epoch 0) replaces the file. A resumed run (starting at epoch
 * {@code e > 0}) keeps the file's header and its rows for epochs before {@code e}, drops later ones
 * (they are about to be redone), and appends. Numbers use {@link Double#toString}, which ignores the
 * locale and round-trips exactly ({@code 0.1}, {@code 1.0E-4}, {@code NaN}).
 */
public final class CsvLogger implements Callback {
  private final Path file;
  private List<String> columns;   // null until the first epoch of a fit

  public CsvLogger(Path file) {
    if (file == null) throw new IllegalArgumentException("CsvLogger: file is null");
    this.file = file;
  }

  @Override
  public void onTrainBegin(Trainer trainer) {
    columns = null;
  }

  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    try {
      if (columns == null) columns = start(epoch, logs);
      StringBuilder row = new StringBuilder().append(epoch);
      for (String c : columns) {
        Double v = logs.get(c);
        row.append(',').append(v == null ? "" : Double.toString(v));
      }
      Files.writeString(file, row.append('\n'), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("CsvLogger: cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the header (fresh run) or trims the file to the epochs before {@code epoch} (resumed run); returns the columns. */
  private List<String> start(int epoch, Map<String, Double> logs) throws IOException {
    if (epoch > 0 && Files.exists(file) && Files.size(file) > 0) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<String> header = Arrays.asList(lines.get(0).split(",", -1));
      if (!header.get(0).equals("epoch"))
        throw new IOException("the first line is not a header starting with \"epoch\"; move the file away or start at epoch 0");
      List<String> keep = new ArrayList<>(List.of(lines.get(0)));
      for (String l : lines.subList(1, lines.size())) {
        String first = l.split(",", 2)[0];
        if (!first.isEmpty() && first.chars().allMatch(Character::isDigit) && Integer.parseInt(first) < epoch) keep.add(l);
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, keep, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return header.subList(1, header.size());
    }
    List<String> cols = List.copyOf(logs.keySet());
    Files.writeString(file, "epoch," + String.join(",", cols) + "\n", StandardCharsets.UTF_8);
    return cols;
  }
}
