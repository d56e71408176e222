package org.neurite.text.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neurite.io.Heap;
import org.neurite.io.Messages;
import org.neurite.io.ModelFiles;
import org.neurite.io.SafeTensors;
import org.neurite.nn.Module;
import org.neurite.tensor.Tensor;
import org.neurite.text.Tokenizer;
import org.neurite.text.Vocabulary;

/**
 * A trained {@link TranslationModel} ({@link Seq2Seq} or {@link TransformerSeq2Seq}) with its vocabularies and tokenisation: text in, text out, and the model
 * directory. Not the network itself, and not training ({@link TranslationTrainer}).
 *
 * <p>A model directory, written and read by {@link ModelFiles}' versioned writer, holds {@code config.json} ({@code format_version}, {@code class} "Seq2Seq" or "TransformerSeq2Seq", the
 * network's {@code config}, and {@code metadata}: both vocabularies in id order, the tokenizer ("neurite"
 * or "whitespace"), the maximum output length) and {@code model.safetensors} (the state_dict). It is
 * written to a sibling temporary directory and renamed into place.
 *
 * <p>Not thread-safe: decoding runs the model's forward (a {@link TransformerSeq2Seq} grows state while
 * decoding); translate from one thread at a time.
 */
public final class Translator {
  /** The format_version of the directories this version writes: the one of every model directory ({@link ModelFiles#FORMAT_VERSION}). */
  public static final int FORMAT_VERSION = ModelFiles.FORMAT_VERSION;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A translation: the text, its tokens, the source tokens as the model saw them (EOS last), score and attention. */
  public record Translation(String text, List<String> tokens, List<String> sourceTokens, double score, float[][] attention) {}

  private final TranslationModel model;
  private final Vocabulary source, target;
  private final boolean whitespaceTokens;
  private final Tokenizer tokenizer = new Tokenizer();
  private final int maxLength;

  /**
   * Args: the network, both vocabularies (the target's BOS/EOS ids must match the network's config),
   * {@code whitespaceTokens} (split input on whitespace instead of {@link Tokenizer}), {@code maxLength}
   * (the most output tokens).
   */
  public Translator(TranslationModel model, Vocabulary source, Vocabulary target, boolean whitespaceTokens, int maxLength) {
    var c = model.config();
    if (model.sourceVocab() != source.size() || model.targetVocab() != target.size() || model.bos() != target.bos()
        || model.eos() != target.eos())
      throw new IllegalArgumentException("Translator: vocabularies (source " + source.size() + ", target " + target.size()
          + ", bos " + target.bos() + ", eos " + target.eos() + ") do not match the model's config " + c);
    if (source.eos() < 0) throw new IllegalArgumentException("Translator: the source vocabulary needs " + Vocabulary.EOS);
    if (maxLength < 1) throw new IllegalArgumentException("Translator: maxLength (" + maxLength + ") must be >= 1");
    this.model = model;
    this.source = source;
    this.target = target;
    this.whitespaceTokens = whitespaceTokens;
    this.maxLength = maxLength;
  }

  public TranslationModel model() {
    return model;
  }

  public Vocabulary sourceVocabulary() {
    return source;
  }

  public Vocabulary targetVocabulary() {
    return target;
  }

  /** Tokenises a source sentence as training did. */
  public List<String> tokenize(String text) {
    return ParallelCorpus.tokens(text, whitespaceTokens ? null : tokenizer);
  }

  /** The output limit for a source of {@code n} ids: {@code min(maxLength, 2n + 10)}. */
  private int limit(int n) {
    return Math.min(maxLength, 2 * n + 10);
  }

  /** Greedy translation of one sentence. */
  public Translation translate(String text) {
    return translate(text, 1, 0.0);
  }

  /** Beam search with {@code width} (1: greedy) and GNMT length penalty {@code alpha}. */
  public Translation translate(String text, int width, double alpha) {
    List<String> toks = tokenize(text);
    int[] ids = ParallelCorpus.encodeSource(source, toks);
    Seq2Seq.Hypothesis h = width == 1 ? model.greedy(List.of(ids), limit(ids.length)).get(0)
        : model.beam(ids, width, alpha, limit(ids.length));
    return result(ids, h);
  }

  /** Greedy translations of many sentences, {@code batch} at a time. */
  public List<Translation> translateAll(List<String> texts, int batch) {
    return translateAll(texts, batch, 1, 0.0);
  }

  /**
   * Translations of many sentences, {@code batch} sentences decoded together: greedy ({@code width} 1) or beam
   * search, each sentence giving what {@link #translate(String, int, double)} gives it alone.
   */
  public List<Translation> translateAll(List<String> texts, int batch, int width, double alpha) {
    if (batch < 1) throw new IllegalArgumentException("translateAll: batch (" + batch + ") must be >= 1");
    List<Translation> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += batch) {
      List<int[]> ids = new ArrayList<>();
      for (String t : texts.subList(from, Math.min(texts.size(), from + batch)))
        ids.add(ParallelCorpus.encodeSource(source, tokenize(t)));
      int[] max = new int[ids.size()];
      for (int i = 0; i < max.length; i++) max[i] = limit(ids.get(i).length);
      List<Seq2Seq.Hypothesis> hs = width == 1 ? model.greedy(ids, max) : model.beam(ids, width, alpha, max);
      for (int i = 0; i < ids.size(); i++) out.add(result(ids.get(i), hs.get(i)));
    }
    return out;
  }

  private Translation result(int[] srcIds, Seq2Seq.Hypothesis h) {
    List<String> words = target.decode(h.tokens(target.eos()));
    List<String> src = source.decode(srcIds);
    return new Translation(String.join(" ", words), words, src, h.score(), h.attention());
  }

  // ------------------------------------------------------------------ files

  /** Writes the model directory (config.json, model.safetensors), replacing what was there. */
  public void save(Path dir) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("class", model instanceof Seq2Seq ? "Seq2Seq" : "TransformerSeq2Seq");
    root.set("config", JSON.valueToTree(model.config()));
    root.set("metadata", JSON.valueToTree(Map.of("source_vocab", source.tokens(), "target_vocab", target.tokens(),
        "tokenizer", whitespaceTokens ? "whitespace" : "neurite", "max_length", maxLength)));
    ModelFiles.write(dir, root, model.module().stateDict(), null);
  }

  /** Whether {@code dir} holds a translation model: a config.json whose class is "Seq2Seq" or "TransformerSeq2Seq". */
  public static boolean isTranslationModel(Path dir) {
    Path cfg = dir.resolve("config.json");
    if (!Files.isRegularFile(cfg)) return false;
    try {
      String cls = JSON.readTree(cfg.toFile()).path("class").asText();
      return cls.equals("Seq2Seq") || cls.equals("TransformerSeq2Seq");
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads a directory written by {@link #save}. */
  public static Translator load(Path dir) throws IOException {
    Path cfg = dir.resolve(ModelFiles.CONFIG);
    if (!Files.isRegularFile(cfg)) throw new IOException("load " + dir + ": no config.json; expected a translation model directory");
    JsonNode root = ModelFiles.readConfig(dir, MAX_CONFIG, "translation model config");
    String cls = root.path("class").asText();
    if (!(cls.equals("Seq2Seq") || cls.equals("TransformerSeq2Seq")))
      throw new IOException("load " + cfg + ": expected class \"Seq2Seq\" or \"TransformerSeq2Seq\", found \"" + Messages.clip(cls) + "\"");
    JsonNode c = root.get("config");
    if (c == null || !c.isObject()) throw new IOException("load " + cfg + ": expected a \"config\" object with the model's sizes, found "
        + (c == null ? "none" : Messages.clip(c.toString())));
    JsonNode meta = root.path("metadata");
    Vocabulary src, tgt;
    try {
      src = Vocabulary.of(strings(meta.path("source_vocab")));
      tgt = Vocabulary.of(strings(meta.path("target_vocab")));
    } catch (IllegalArgumentException e) {
      throw new IOException("load " + cfg + ": metadata.source_vocab and metadata.target_vocab must list the vocabularies ("
          + e.getMessage() + ")", e);
    }
    TranslationModel.Sizes sizes;
    try {
      sizes = cls.equals("Seq2Seq") ? JSON.treeToValue(c, Seq2Seq.Config.class) : JSON.treeToValue(c, TransformerSeq2Seq.Config.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("load " + cfg + ": \"config\" does not describe a " + cls + " (" + Messages.clip(e.getOriginalMessage()) + ")", e);
    }
    if (src.size() != sizes.sourceVocab() || tgt.size() != sizes.targetVocab())
      throw new IOException("load " + cfg + ": metadata holds " + src.size() + " source and " + tgt.size() + " target words, the config "
          + "declares " + sizes.sourceVocab() + " and " + sizes.targetVocab() + "; expected the same sizes");
    long params = parameterBound(sizes);
    if (params < 0 || params > Integer.MAX_VALUE * 4L)
      throw new IOException("load " + cfg + ": the config describes more than 2^33 parameters; check its sizes");
    Heap.require("build the translation model of " + cfg + " (up to " + params + " parameters)", 4 * params);
    TranslationModel model;
    try {
      model = of(sizes);
    } catch (IllegalArgumentException e) {
      throw new IOException("load " + cfg + ": " + e.getMessage(), e);
    }
    Map<String, Tensor> state = SafeTensors.read(dir.resolve("model.safetensors"));
    try {
      model.module().loadStateDict(state);
    } catch (IllegalArgumentException e) {
      throw new IOException("load " + dir.resolve("model.safetensors") + ": " + e.getMessage(), e);
    }
    model.module().eval();
    return new Translator(model, src, tgt, "whitespace".equals(meta.path("tokenizer").asText()), meta.path("max_length").asInt(100));
  }

  private static final long MAX_CONFIG = 64 << 20;   // the two vocabularies travel in config.json

  /**
   * The parameters a config builds, counted by a shape-only build of the model ({@link Module#shapeOnly}:
   * nothing is allocated), so that a config declaring a 2e8-word vocabulary fails before allocating.
   * -1 on overflow.
   */
  static long parameterBound(TranslationModel.Sizes sizes) {
    return Module.shapeOnly(() -> of(sizes));
  }

  private static TranslationModel of(TranslationModel.Sizes sizes) {
    return sizes instanceof Seq2Seq.Config k ? new Seq2Seq(k) : new TransformerSeq2Seq((TransformerSeq2Seq.Config) sizes);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
