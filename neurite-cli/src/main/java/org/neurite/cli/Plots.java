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

  private static XYSeries series(String name, double[] ys) {
    XYSeries s = new XYSeries(name);
    for (int i = 0; i < ys.length; i++) s.add(i + 1, ys[i]);
    return s;
  }
}
