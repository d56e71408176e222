package org.neurite.onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.neurite.nn.ActivationLayer;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.AvgPool2D;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Embedding;
import org.neurite.nn.Flatten;
import org.neurite.nn.GRU;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.LSTM;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.MultiHeadAttention;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.PositionalEncoding;
import org.neurite.nn.Residual;
import org.neurite.nn.SimpleRNN;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.onnx.OnnxExport.Emitter;

/**
 * The one table of ONNX exporters, keyed by layer class as {@code nn.Layers} keys configs: the image
 * layers' nodes are written by {@link OnnxExport}, the sequence layers' by {@link SequenceExport}. A
 * new exportable layer adds one line here. Not the export walk itself (masks, branches, the graph).
 *
 * <p>Thread-safe: the table is filled once, when the class loads, and only read after.
 */
final class Exporters {
  /** Writes one layer's nodes after value {@code x} and returns its output's value name. */
  @FunctionalInterface
  interface Exporter<M extends Module> {
    String export(Emitter e, M m, String p, String base, String x, String at) throws OnnxException;
  }

  /** A layer class's exporter; {@code sequence}: the layer reads or keeps a time axis (the graph gets a free "T"). */
  record Entry<M extends Module>(Class<M> type, boolean sequence, Exporter<M> exporter) {
    String export(Emitter e, Module m, String p, String base, String x, String at) throws OnnxException {
      return exporter.export(e, type.cast(m), p, base, x, at);
    }
  }

  private static final Map<Class<?>, Entry<?>> TABLE = new LinkedHashMap<>();

  static {
    put(Dense.class, false, Emitter::dense);
    put(Conv2D.class, false, Emitter::conv);
    put(MaxPool2D.class, false, Emitter::pool);
    put(AvgPool2D.class, false, Emitter::pool);
    put(GlobalAvgPool2D.class, false, Emitter::globalAvgPool);
    put(Flatten.class, false, Emitter::flatten);
    put(Dropout.class, false, Emitter::dropout);
    put(BatchNorm.class, false, Emitter::batchNorm);
    put(Residual.class, false, Emitter::residual);
    put(ActivationLayer.class, false, Emitter::activationLayer);
    put(Embedding.class, true, (e, m, p, base, x, at) -> SequenceExport.embedding(e, m, p, base, x));
    put(LSTM.class, true, (e, m, p, base, x, at) -> SequenceExport.recurrent(e, m, null, p, base, x));
    put(GRU.class, true, (e, m, p, base, x, at) -> SequenceExport.recurrent(e, m, null, p, base, x));
    put(SimpleRNN.class, true, (e, m, p, base, x, at) -> SequenceExport.recurrent(e, m, null, p, base, x));
    put(Bidirectional.class, true, (e, m, p, base, x, at) -> SequenceExport.recurrent(e, m.layer(), m, p, base, x));
    put(GlobalAvgPool1D.class, true, (e, m, p, base, x, at) -> SequenceExport.meanOverTime(e, base, x));
    put(AttentionPooling.class, true, SequenceExport::attentionPooling);
    put(LayerNorm.class, true, (e, m, p, base, x, at) -> SequenceExport.layerNorm(e, m, p, base, x));
    put(PositionalEmbedding.class, true, (e, m, p, base, x, at) -> SequenceExport.positions(e, m, p, base, x));
    put(PositionalEncoding.class, true, (e, m, p, base, x, at) -> SequenceExport.positions(e, m, p, base, x));
    put(MultiHeadAttention.class, true, SequenceExport::selfAttention);
    put(TransformerEncoderLayer.class, true, SequenceExport::encoder);
  }

  private Exporters() {}

  private static <M extends Module> void put(Class<M> type, boolean sequence, Exporter<M> exporter) {
    TABLE.put(type, new Entry<>(type, sequence, exporter));
  }

  /** The exporter of {@code m}'s class, or null when it has none. */
  static Entry<?> of(Module m) {
    return TABLE.get(m.getClass());
  }

  static boolean isSequenceLayer(Module m) {
    Entry<?> e = of(m);
    return e != null && e.sequence();
  }

  /** The exportable layers, for messages. */
  static String names() {
    return TABLE.keySet().stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
  }
}
