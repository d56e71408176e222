package org.neurite.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.neurite.io.AtomicFiles;

/**
 * Writes one CSV row per epoch: a header {@code epoch,loss,...,lr} (the log keys of the first epoch,
 * in log order) and then {@code epoch} (0-based, as Keras' CSVLogger) and each value. After each
 * epoch the whole file is rewritten atomically ({@link AtomicFiles}: temporary file, forced to disk,
 * renamed), so a killed run keeps every finished epoch and never a half-written row.
 *
 * <p>A fresh run ({@code fit} starting at epoch 0) replaces the file. A resumed run (starting at epoch
 * {@code e > 0}) keeps the file's header and its rows for epochs before {@code e}, drops later ones
 * (they are about to be redone), and appends. Numbers use {@link Double#toString}, which ignores the
 * locale and round-trips exactly ({@code 0.1}, {@code 1.0E-4}, {@code NaN}).
 *
 * <p>Not thread-safe: it keeps state across epochs, and {@code fit} calls it on the training thread only.
 */
public final class CsvLogger implements Callback {
  private final Path file;
  private List<String> columns;   // null until the first epoch of a fit
  private final List<String> lines = new ArrayList<>();

  /**
   * A logger writing to {@code file}.
   *
   * @param file the CSV file
   * @throws IllegalArgumentException if {@code file} is null
   */
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
      lines.add(row.toString());
      AtomicFiles.writeString(file, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("CsvLogger: cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the header (fresh run) or trims the file to the epochs before {@code epoch} (resumed run); returns the columns. */
  private List<String> start(int epoch, Map<String, Double> logs) throws IOException {
    if (epoch > 0 && Files.exists(file) && Files.size(file) > 0) {
      List<String> old = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<String> header = Arrays.asList(old.get(0).split(",", -1));
      if (!header.get(0).equals("epoch"))
        throw new IOException("the first line is not a header starting with \"epoch\"; move the file away or start at epoch 0");
      List<String> keep = new ArrayList<>(List.of(old.get(0)));
      for (String l : old.subList(1, old.size())) {
        String first = l.split(",", 2)[0];
        if (!first.isEmpty() && first.length() < 10 && first.chars().allMatch(c -> c >= '0' && c <= '9') && Integer.parseInt(first) < epoch)
          keep.add(l);
      }
      lines.clear();
      lines.addAll(keep);
      return header.subList(1, header.size());
    }
    List<String> cols = List.copyOf(logs.keySet());
    lines.clear();
    lines.add("epoch," + String.join(",", cols));
    return cols;
  }
}
