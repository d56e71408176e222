package org.neurite.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.neurite.io.ModelFiles;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Embedding;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.LSTM;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.Sequential;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.tensor.Tensor;

/**
 * A text classifier people can use: the tokenizer, the vocabulary, the label names and the network
 * travel together, so {@code classify("a gripping, funny film")} works on a model loaded from disk.
 *
 * <pre>{@code
 * var split = SentencePolarity.fixedSplit(1);
 * var vocab = Vocabulary.builder().minCount(1).maxSize(20000).build(split.train().tokens());
 * var clf = TextClassifier.create("bilstm-attention", vocab, split.train().labels(), 60, null);
 * clf.model().compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * clf.model().fit(split.train().toDataset(vocab, 60), Fit.epochs(4));
 * System.out.println(clf.classify("an utterly charming film"));
 * }</pre>
 *
 * Architectures ({@link #ARCHITECTURES}): {@code lstm} (Embedding, LSTM, Dense), {@code bilstm-attention}
 * (Embedding, bidirectional LSTM over the whole sequence, the seed's attention pooling, Dense) and
 * {@code transformer} (Embedding plus learned positions, two encoder layers, masked mean, Dense). Every
 * one masks padding, so the padded length changes nothing but speed.
 *
 * <p>Input handling: text is tokenized ({@link Tokenizer} defaults), unknown words map to UNK, text longer
 * than {@code maxLen} tokens is cut to its first {@code maxLen}, and empty text classifies as all
 * padding (the network sees no word; the answer is its prior).
 *
 * <p>Thread-safe for {@code classify}, which runs its model inside {@link
 * org.neurite.train.Trainer#inference} as {@code predict} does; not while its model trains.
 */
public final class TextClassifier {
  public static final List<String> ARCHITECTURES = List.of("lstm", "bilstm-attention", "transformer");

  /** One answer: the best label, every label's probability, the tokens as the model saw them and, for attention models, each token's weight. */
  public record Prediction(String label, Map<String, Float> probabilities, List<String> tokens, float[] attention) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(label).append(" (");
      probabilities.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %.3f, ", k, v)));
      sb.setLength(sb.length() - 2);
      return sb.append(')').toString();
    }
  }

  private final String architecture;
  private final Sequential model;
  private final Vocabulary vocab;
  private final List<String> labels;
  private final int maxLen;
  private final Tokenizer tokenizer = new Tokenizer();

  private TextClassifier(String architecture, Sequential model, Vocabulary vocab, List<String> labels, int maxLen) {
    this.architecture = architecture;
    this.model = model;
    this.vocab = vocab;
    this.labels = List.copyOf(labels);
    this.maxLen = maxLen;
  }

  /**
   * A new, untrained classifier. {@code embeddings} ({@code [vocab.size(), dim]}, e.g. from
   * {@link Embeddings#matrix}) initialises the embedding table, or null for random vectors of
   * {@code defaultDim(architecture)} dimensions.
   */
  public static TextClassifier create(String architecture, Vocabulary vocab, List<String> labels, int maxLen, Tensor embeddings) {
    if (labels.size() < 2) throw new IllegalArgumentException("TextClassifier: needs at least 2 labels, got " + labels);
    if (maxLen < 1) throw new IllegalArgumentException("TextClassifier: maxLen (" + maxLen + ") must be >= 1");
    Embedding emb;
    if (embeddings == null) emb = new Embedding(vocab.size(), defaultDim(architecture));
    else {
      if (embeddings.rank() != 2 || embeddings.shape(0) != vocab.size())
        throw new IllegalArgumentException("TextClassifier: embeddings must be [" + vocab.size() + ", dim] to match the vocabulary, got "
            + org.neurite.tensor.Shape.str(embeddings.shape()));
      emb = Embedding.fromPretrained(embeddings).frozen(false);
    }
    emb.paddingIdx(vocab.pad());
    int classes = labels.size();
    Sequential model = switch (architecture) {
      case "lstm" -> Sequential.of(emb, new LSTM(128), new Dropout(0.5f), new Dense(classes).softmax());
      case "bilstm-attention" -> Sequential.of(emb, new Bidirectional(new LSTM(64).returnSequences(true)),
          new AttentionPooling(64), new Dropout(0.5f), new Dense(classes).softmax());
      case "transformer" -> Sequential.of(emb, new PositionalEmbedding(maxLen),
          new TransformerEncoderLayer(emb.dim(), 4, 2 * emb.dim()), new TransformerEncoderLayer(emb.dim(), 4, 2 * emb.dim()),
          new GlobalAvgPool1D(), new Dropout(0.3f), new Dense(classes).softmax());
      default -> throw new IllegalArgumentException("unknown text model \"" + architecture + "\"; known: " + String.join(", ", ARCHITECTURES));
    };
    model.input(maxLen);
    return new TextClassifier(architecture, model, vocab, labels, maxLen);
  }

  /** The embedding width each architecture uses without pretrained vectors. */
  public static int defaultDim(String architecture) {
    return architecture.equals("transformer") ? 64 : 128;
  }

  public Sequential model() {
    return model;
  }

  public Vocabulary vocabulary() {
    return vocab;
  }

  public List<String> labels() {
    return labels;
  }

  public int maxLen() {
    return maxLen;
  }

  public String architecture() {
    return architecture;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The ids of {@code texts}, {@code [N, T]} with T the longest (at most maxLen, at least 1), right-padded. */
  public Tensor encode(List<String> texts) {
    List<int[]> ids = new ArrayList<>(texts.size());
    int longest = 1;
    for (String t : texts) {
      int[] e = vocab.encode(tokenizer.tokenize(t == null ? "" : t));
      if (e.length > maxLen) e = java.util.Arrays.copyOf(e, maxLen);
      ids.add(e);
      longest = Math.max(longest, e.length);
    }
    return Sequences.pad(ids, longest, Sequences.Side.POST, Sequences.Side.POST);
  }

  public Prediction classify(String text) {
    return classify(List.of(text)).get(0);
  }

  /** Classifies a batch in inference mode; attention weights are filled for attention models. */
  public List<Prediction> classify(List<String> texts) {
    if (texts.isEmpty()) return List.of();
    Tensor ids = encode(texts);
    Tensor probs, weights;
    try (var scope = org.neurite.train.Trainer.inference(model)) {
      Tensor[] attention = new Tensor[1];
      probs = model.forward(ids, (layer, h, mask) -> {
        if (!(layer instanceof AttentionPooling att)) return Sequential.Step.plain(layer, h, mask);
        AttentionPooling.Result r = att.call(h, mask);
        attention[0] = r.weights();
        return r.context();
      });
      weights = attention[0];
    }
    int n = texts.size(), c = labels.size(), t = ids.shape(1);
    float[] p = probs.data(), w = weights == null ? null : weights.data(), id = ids.data();
    List<Prediction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, Float> byLabel = new LinkedHashMap<>();
      int best = 0;
      for (int j = 0; j < c; j++) {
        byLabel.put(labels.get(j), p[i * c + j]);
        if (p[i * c + j] > p[i * c + best]) best = j;
      }
      List<String> toks = new ArrayList<>();
      for (int s = 0; s < t && id[i * t + s] != vocab.pad(); s++) toks.add(vocab.token((int) id[i * t + s]));
      float[] att = null;
      if (w != null) att = java.util.Arrays.copyOfRange(w, i * t, i * t + toks.size());
      out.add(new Prediction(labels.get(best), byLabel, toks, att));
    }
    return out;
  }

  /** Saves the network, vocabulary, labels and settings as one model directory (atomically). */
  public void save(Path dir) throws IOException {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("task", "text-classification");
    meta.put("architecture", architecture);
    meta.put("classes", labels);
    meta.put("max_len", maxLen);
    meta.put("vocabulary", vocab.tokens());
    ModelFiles.save(model, dir, meta);
  }

  /** True when the model directory holds a text classifier (metadata task "text-classification"). */
  public static boolean isTextModel(Path dir) throws IOException {
    return "text-classification".equals(ModelFiles.metadata(dir).path("task").asText());
  }

  public static TextClassifier load(Path dir) throws IOException {
    JsonNode meta = ModelFiles.metadata(dir);
    if (!"text-classification".equals(meta.path("task").asText()))
      throw new IOException(dir + ": not a text classifier (metadata task is \"" + meta.path("task").asText() + "\")");
    List<String> labels = new ArrayList<>(), tokens = new ArrayList<>();
    meta.path("classes").forEach(x -> labels.add(x.asText()));
    meta.path("vocabulary").forEach(x -> tokens.add(x.asText()));
    if (tokens.isEmpty()) throw new IOException(dir + ": the metadata has no vocabulary");
    int maxLen = meta.path("max_len").asInt(0);
    if (maxLen < 1) throw new IOException(dir + ": metadata max_len is missing or < 1");
    if (labels.size() < 2)
      throw new IOException(dir + ": the metadata lists " + labels.size() + " classes; a text classifier needs at least 2");
    Vocabulary vocab;
    try {
      vocab = Vocabulary.of(tokens);
    } catch (IllegalArgumentException e) {
      throw new IOException(dir + ": metadata vocabulary: " + e.getMessage(), e);
    }
    Sequential model = ModelFiles.load(dir);
    int[] out = model.outputShape();
    if (out.length != 1 || out[0] != labels.size())
      throw new IOException(dir + ": the network gives " + org.neurite.tensor.Shape.str(out) + " per text, the metadata lists "
          + labels.size() + " classes; expected one score per class");
    return new TextClassifier(meta.path("architecture").asText("custom"), model, vocab, labels, maxLen);
  }
}
