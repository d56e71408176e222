package org.neurite.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.neurite.io.AtomicFiles;
import org.neurite.train.History;

/** Training curves as a PNG (JFreeChart): loss and each metric per epoch, training and validation. */
final class Plots {
  private Plots() {}

  /** Writes one chart per quantity (loss, accuracy, ...) side by side into {@code file}. */
  static void trainingCurves(History h, Path file) throws IOException {
    var keys = new java.util.ArrayList<String>();
    for (String k : h.last().keySet()) if (!k.startsWith("val_") && !k.equals("lr")) keys.add(k);
    int w = 480, ht = 360;
    BufferedImage img = new BufferedImage(w * keys.size(), ht, BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      XYSeriesCollection data = new XYSeriesCollection();
      data.addSeries(series("train " + k, h.get(k)));
      if (h.last().containsKey("val_" + k)) data.addSeries(series("validation " + k, h.get("val_" + k)));
      JFreeChart chart = ChartFactory.createXYLineChart(k, "epoch", k, data, PlotOrientation.VERTICAL, true, false, false);
      XYPlot plot = chart.getXYPlot();
      plot.setBackgroundPaint(Color.WHITE);
      plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
      plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      r.setSeriesStroke(0, new BasicStroke(2f));
      r.setSeriesStroke(1, new BasicStroke(2f));
      plot.setRenderer(r);
      NumberAxis epochs = (NumberAxis) plot.getDomainAxis();
      epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
      epochs.setRange(0.5, Math.max(1, h.epochs().size()) + 0.5);
      chart.draw(g, new java.awt.Rectangle(i * w, 0, w, ht));
    }
    g.dispose();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "png", bytes);
    AtomicFiles.write(file, bytes.toByteArray());
  }

  /** One row per prediction, one cell per token, shaded by its attention weight; tokens are written in the cells. */
  static void attention(java.util.List<org.neurite.text.TextClassifier.Prediction> rows, Path file) throws IOException {
    int cols = 1;
    for (var p : rows) cols = Math.max(cols, p.tokens().size());
    float[][] w = new float[rows.size()][cols];
    String[][] labels = new String[rows.size()][cols];
    String[] rowNames = new String[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      var p = rows.get(r);
      for (int t = 0; t < p.tokens().size(); t++) {
        w[r][t] = p.attention()[t];
        labels[r][t] = p.tokens().get(t);
      }
      rowNames[r] = p.label();
    }
    heatMap("attention weight per token (row label: predicted class)", rowNames, null, w, labels, file);
  }

  /**
   * A heat map of {@code w[row][col]} (white 0 to dark blue at the largest value), with optional row and
   * column names and optional text in each cell: attention over a sentence, or a translation's alignment.
   */
  static void heatMap(String title, String[] rowNames, String[] colNames, float[][] w, String[][] cellText, Path file)
      throws IOException {
    var data = new org.jfree.data.xy.DefaultXYZDataset();
    int rows = w.length, cols = rows == 0 ? 0 : w[0].length;
    double max = 1e-9;
    for (float[] r : w) for (float v : r) max = Math.max(max, v);
    double[][] series = new double[3][rows * cols];
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) {
      int i = r * cols + c;
      series[0][i] = c;
      series[1][i] = rows - 1 - r;   // first row on top
      series[2][i] = w[r][c];
    }
    data.addSeries("w", series);
    var renderer = new org.jfree.chart.renderer.xy.XYBlockRenderer();
    var scale = new org.jfree.chart.renderer.LookupPaintScale(0, max + 1e-9, Color.WHITE);
    for (int k = 0; k <= 20; k++) {
      float f = k / 20f;
      scale.add(max * f, new Color(1 - 0.85f * f, 1 - 0.7f * f, 1 - 0.3f * f));
    }
    renderer.setPaintScale(scale);
    String[] xs = colNames != null ? colNames : new String[cols];
    if (colNames == null) for (int c = 0; c < cols; c++) xs[c] = String.valueOf(c + 1);
    String[] ys = new String[rows];
    for (int r = 0; r < rows; r++) ys[r] = rowNames == null ? String.valueOf(r + 1) : rowNames[rows - 1 - r];
    var xAxis = new org.jfree.chart.axis.SymbolAxis(colNames != null ? null : "token", xs);
    var yAxis = new org.jfree.chart.axis.SymbolAxis(null, ys);
    if (colNames != null) xAxis.setVerticalTickLabels(true);
    XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    if (cellText != null) {
      for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) {
        if (cellText[r][c] == null) continue;
        var note = new org.jfree.chart.annotations.XYTextAnnotation(cellText[r][c], c, rows - 1 - r);
        note.setPaint(w[r][c] > 0.6 * max ? Color.WHITE : Color.BLACK);
        plot.addAnnotation(note);
      }
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.setBackgroundPaint(Color.WHITE);
    int width = Math.max(480, 70 * cols + 120), height = Math.max(200, 40 * rows + 140);
    BufferedImage img = chart.createBufferedImage(width, height);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "png", bytes);
    AtomicFiles.write(file, bytes.toByteArray());
  }

  private static XYSeries series(String name, double[] ys) {
    XYSeries s = new XYSeries(name);
    for (int i = 0; i < ys.length; i++) s.add(i + 1, ys[i]);
    return s;
  }
}
