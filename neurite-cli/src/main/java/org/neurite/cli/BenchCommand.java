package org.neurite.cli;

import java.util.concurrent.Callable;
import org.neurite.bench.CnnBench;
import org.neurite.bench.GemmBench;
import org.neurite.bench.Harness;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite bench WORKLOAD}: the peer scripts' workloads, argument for argument, printing the
 * same JSON lines with {@code "peer": "neurite"} (contract 3 in DESIGN.md).
 */
@Command(name = "bench", description = "Benchmarks that pair line by line with shared/peers/*.py.",
    subcommands = {BenchCommand.Gemm.class, BenchCommand.Cnn.class, BenchCommand.ZooInfer.class, BenchCommand.Rnn.class, BenchCommand.Attention.class,
        BenchCommand.Word2Vec.class, BenchCommand.Translate.class})
final class BenchCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Options every workload shares with the peers. */
  static class Common {
    @Option(names = "--threads", defaultValue = "2", description = "Threads (as the peers).")
    int threads;

    @Option(names = "--reps", defaultValue = "5", description = "Timed repetitions.")
    int reps;

    @Option(names = "--blas-threads", description = "Accepted for symmetry with the PyTorch peer; Neurite has one pool.")
    Integer blasThreads;
  }

  @Command(name = "gemm", description = "float32 GEMM GFLOPS: squares 256-2048 and the seed models' layer shapes.")
  static final class Gemm extends Common implements Callable<Integer> {
    @Option(names = "--skip-big", description = "Skip (64, 86528, 512).")
    boolean skipBig;

    @Option(names = "--min-rep-s", defaultValue = "0.4", description = "Minimum seconds per timed repetition.")
    double minRepS;

    @Option(names = "--only", description = "Comma list of MxKxN shapes, e.g. 6400x64x256.")
    String only;

    @Option(names = "--peers", description = "Accepted for symmetry with gemm.py; ignored.")
    String peers;

    @Override
    public Integer call() {
      GemmBench.run(new Harness(System.out), threads, reps, skipBig, minRepS, only);
      return 0;
    }
  }

  @Command(name = "cnn", description = "The seed CNN: training/inference samples/s; --layers times each 3x3 conv.")
  static final class Cnn extends Common implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "A (1x28x28 b64), B (3x32x32 b64) or C (3x224x224 b16).")
    String config;

    @Option(names = "--layers", description = "Also time each 3x3 convolution alone, fwd and fwd+bwd.")
    boolean layers;

    @Option(names = "--no-model", description = "Only the --layers timings.")
    boolean noModel;

    @Option(names = "--min-rep-s", defaultValue = "1.0", description = "Minimum seconds per timed repetition.")
    double minRepS;

    @Override
    public Integer call() {
      CnnBench.run(new Harness(System.out), config, threads, reps, minRepS, layers, noModel);
      return 0;
    }
  }

  @Command(name = "zoo", description = "ResNet-18 / MobileNetV2 inference at 3x224x224, as peers/torch_zoo.py.")
  static final class ZooInfer extends Common implements Callable<Integer> {
    @Option(names = "--models", defaultValue = "resnet18,mobilenet_v2", description = "Comma list.")
    String models;

    @Option(names = "--batch", defaultValue = "8", description = "Samples per batch.")
    int batch;

    @Option(names = "--onnx-dir", description = "Run the imported torchvision exports DIR/<model>.onnx instead of the zoo's networks.")
    java.nio.file.Path onnxDir;

    @Option(names = "--min-rep-s", defaultValue = "1.0", description = "Minimum seconds per timed repetition.")
    double minRepS;

    @Override
    public Integer call() throws Exception {
      org.neurite.bench.ZooBench.run(new Harness(System.out), java.util.List.of(models.split(",")), batch, threads, reps, minRepS, onnxDir);
      return 0;
    }
  }

  @Command(name = "rnn", description = "The seed LSTM classifier (and a GRU variant): training/inference samples/s, as peers/torch_lstm.py.")
  static final class Rnn extends Common implements Callable<Integer> {
    @Option(names = "--cells", defaultValue = "lstm,gru", description = "Comma list of lstm, gru.")
    String cells;

    @Option(names = "--min-rep-s", defaultValue = "1.0", description = "Minimum seconds per timed repetition.")
    double minRepS;

    @Override
    public Integer call() {
      org.neurite.bench.RnnBench.run(new Harness(System.out), cells, threads, reps, minRepS);
      return 0;
    }
  }

  @Command(name = "attention", description = "The seed attention classifier and a 2-layer Transformer encoder, as peers/torch_attention.py.")
  static final class Attention extends Common implements Callable<Integer> {
    @Option(names = "--models", defaultValue = "attn,transformer", description = "Comma list of attn, transformer.")
    String models;

    @Option(names = "--min-rep-s", defaultValue = "1.0", description = "Minimum seconds per timed repetition.")
    double minRepS;

    @Override
    public Integer call() {
      org.neurite.bench.AttentionBench.run(new Harness(System.out), models, threads, reps, minRepS);
      return 0;
    }
  }

  @Command(name = "word2vec", description = "Word2Vec training words/s, seconds and analogy accuracy, as peers/gensim_w2v.py.")
  static final class Word2Vec extends Common implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "CORPUS", description = "Text file, one sentence per line.")
    java.nio.file.Path corpus;

    @Option(names = "--modes", defaultValue = "sg,cbow", description = "Comma list of sg, cbow.")
    String modes;

    @Option(names = "--input", defaultValue = "iterable,corpus_file",
        description = "Comma list: iterable (Iterable<List<String>> of lines), corpus_file (streamed file).")
    String input;

    @Option(names = "--workers", description = "Same as --threads (the peer's name).")
    Integer workers;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs.")
    int epochs;

    @Option(names = "--analogies", description = "questions-words.txt: also report analogy accuracy.")
    java.nio.file.Path analogies;

    @Option(names = "--log", description = "Accepted for symmetry with gensim_w2v.py; ignored.")
    String log;

    @Override
    public Integer call() throws java.io.IOException {
      org.neurite.bench.Word2VecBench.run(new Harness(System.out), corpus, modes, input, reps,
          workers != null ? workers : threads, epochs, analogies);
      return 0;
    }
  }

  @Command(name = "translate", description = "GRU-attention translation: training sentences/s and test BLEU greedy and beam, as tools/peers/translate_gru_attention.py.")
  static final class Translate implements Callable<Integer> {
    @Option(names = "--threads", defaultValue = "2", description = "Threads (as the peers).") int threads;
    @Option(names = "--blas-threads", description = "Accepted for symmetry with the PyTorch peer; Neurite has one pool.") Integer blasThreads;
    @Option(names = "--pairs", required = true, paramLabel = "multi30k:DIR[:SRC-TGT]") String pairs;
    @Option(names = "--limit", defaultValue = "0", description = "Training pairs (0: all).") int limit;
    @Option(names = "--eval-limit", defaultValue = "0", description = "Test pairs (0: all).") int evalLimit;
    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training data.") int epochs;
    @Option(names = "--embed", defaultValue = "128", description = "Embedding width.") int embed;
    @Option(names = "--hidden", defaultValue = "256", description = "Recurrent state width.") int hidden;
    @Option(names = "--attention-units", defaultValue = "128", description = "Width of the attention's hidden layer.") int attentionUnits;
    @Option(names = "--no-attention", description = "The gru architecture.") boolean noAttention;
    @Option(names = "--unidirectional") boolean unidirectional;
    @Option(names = "--batch-size", defaultValue = "64", description = "Samples per training step.") int batchSize;
    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam's learning rate.") float lr;
    @Option(names = "--clip", defaultValue = "1.0", description = "Clip the gradient norm to this.") double clip;
    @Option(names = "--label-smoothing", defaultValue = "0.1", description = "Spread this much of each target over all classes.") float smoothing;
    @Option(names = "--teacher-forcing", defaultValue = "1.0", paramLabel = "START[:END]") String teacherForcing;
    @Option(names = "--max-len", defaultValue = "30", description = "Longest sentence kept, in tokens.") int maxLen;
    @Option(names = "--min-count", defaultValue = "2", description = "Drop words seen fewer times.") int minCount;
    @Option(names = "--beam", defaultValue = "5", description = "Beam width for decoding.") int beam;
    @Option(names = "--alpha", defaultValue = "0.6", description = "Length penalty exponent of beam search.") double alpha;
    @Option(names = "--seed", defaultValue = "1", description = "Random seed: weights, shuffling, augmentation.") long seed;

    @Override
    public Integer call() throws java.io.IOException {
      org.neurite.bench.TranslateBench.run(new Harness(System.out), new org.neurite.bench.TranslateBench.Settings(pairs, limit, evalLimit,
          epochs, embed, hidden, attentionUnits, !noAttention, !unidirectional, batchSize, lr, clip, smoothing, teacherForcing, maxLen,
          minCount, beam, alpha, seed), threads);
      return 0;
    }
  }
}
