package org.neurite.text.word2vec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Training text for {@link Word2Vec}: sentences of tokens, read again on every epoch and never held
 * whole in memory.
 *
 * <ul>
 *   <li>{@link #of(Iterable)}: an {@code Iterable<List<String>>} of tokenised sentences (gensim's
 *       {@code sentences}); the workers take turns pulling about 10,000 words at a time from one iterator.
 *   <li>{@link #lines(Path)}: a UTF-8 text file, one sentence per line, tokens separated by whitespace
 *       (gensim's {@code LineSentence} / {@code corpus_file}). Read as bytes in 1 MiB chunks that the
 *       workers claim in turn, each tokenizing its own chunk, so reading scales with the workers and no
 *       String is made per token.
 * </ul>
 * Sentences longer than {@code maxSentenceLength} tokens are cut into pieces of that length, as
 * gensim's {@code LineSentence} does (10,000 by default). Not a tokenizer: text is split on whitespace only.
 *
 * <p>Immutable: it holds only its source (an iterable or a file) and reads it afresh on each pass; an
 * iterable source must allow that.
 */
public abstract class Corpus {
  static final int BATCH_WORDS = 10_000;   // words per job, as gensim's MAX_WORDS_IN_BATCH

  Corpus() {}

  /** A corpus of tokenised sentences; iterated once to build the vocabulary and once per epoch. */
  public static Corpus of(Iterable<? extends List<String>> sentences) {
    return new Sentences(Objects.requireNonNull(sentences, "sentences"));
  }

  /** A text file streamed line by line: one sentence per line, whitespace-separated tokens. */
  public static Corpus lines(Path file) {
    return new Lines(Objects.requireNonNull(file, "file"));
  }

  /** What a scan of the corpus counted: every distinct token, all tokens, sentences. */
  record Scan(WordTable counts, long words, long sentences) {}

  /** Counts the tokens, pruning rare ones as gensim does whenever more than {@code maxVocabSize} (> 0) are held. */
  abstract Scan scan(int maxSentenceLength, int maxVocabSize);

  /** One epoch's pass; each worker reads through its own {@link Source}. */
  abstract Feed feed(Vocab vocab, int maxSentenceLength);

  @Override
  public abstract String toString();

  /** A run of sentences as vocabulary indices; out-of-vocabulary tokens are dropped but counted in {@link #raw}. */
  static final class Batch {
    int[] ids;
    int[] ends;           // ends[s] = one past the last word of sentence s
    int words, sentences;
    long raw;

    Batch(int maxSentenceLength) {
      ids = new int[BATCH_WORDS + maxSentenceLength];
      ends = new int[BATCH_WORDS + maxSentenceLength];
    }
  }

  interface Source {
    /** Fills {@code b} with the next batch; false once this epoch's text is exhausted. */
    boolean next(Batch b) throws IOException;
  }

  abstract static class Feed implements AutoCloseable {
    abstract Source source();

    @Override
    public void close() throws IOException {}
  }

  private static final class Sentences extends Corpus {
    private final Iterable<? extends List<String>> sentences;

    Sentences(Iterable<? extends List<String>> sentences) {
      this.sentences = sentences;
    }

    @Override
    Scan scan(int maxSentenceLength, int maxVocabSize) {
      WordTable t = new WordTable();
      long words = 0, sentenceCount = 0;
      long minReduce = 1;
      for (List<String> s : sentences) {
        for (String w : s) t.add(w, 1);
        words += s.size();
        sentenceCount += (s.size() + maxSentenceLength - 1) / maxSentenceLength;
        if (maxVocabSize > 0 && t.size() > maxVocabSize) t.prune(++minReduce);
      }
      return new Scan(t, words, sentenceCount);
    }

    @Override
    Feed feed(Vocab vocab, int maxSentenceLength) {
      Iterator<? extends List<String>> it = sentences.iterator();
      return new Feed() {
        @Override
        Source source() {
          List<List<String>> taken = new ArrayList<>();
          return b -> {
            taken.clear();
            synchronized (it) {   // only the hand-over is serial; lookups run in parallel below
              int n = 0;
              while (n < BATCH_WORDS && it.hasNext()) {
                List<String> s = it.next();
                taken.add(s);
                n += s.size();
              }
            }
            if (taken.isEmpty()) return false;
            // Counts in locals, fields written once: see FileSource on false sharing.
            int[] ids = b.ids;
            int words = 0, sentences = 0;
            long raw = 0;
            for (List<String> s : taken) {
              int from = words, inSentence = 0;
              for (String w : s) {
                raw++;
                int id = vocab.table.find(w);
                if (id >= 0) {
                  if (words == ids.length) ids = grow(b);
                  ids[words++] = id;
                }
                if (++inSentence == maxSentenceLength) {
                  if (words > from) b.ends[sentences++] = words;
                  from = words;
                  inSentence = 0;
                }
              }
              if (words > from) b.ends[sentences++] = words;
            }
            b.words = words;
            b.sentences = sentences;
            b.raw = raw;
            return true;
          };
        }
      };
    }

    // A single sentence list can exceed the batch: grow rather than split mid-hand-over.
    private static int[] grow(Batch b) {
      b.ids = java.util.Arrays.copyOf(b.ids, b.ids.length * 2);
      b.ends = java.util.Arrays.copyOf(b.ends, b.ends.length * 2);
      return b.ids;
    }

    @Override
    public String toString() {
      return "sentences " + sentences.getClass().getSimpleName();
    }
  }

  private static final class Lines extends Corpus {
    private static final long CHUNK = 1 << 20;
    private final Path file;

    Lines(Path file) {
      this.file = file;
    }

    private FileChannel open() {
      if (Files.isDirectory(file)) throw new IllegalArgumentException("corpus " + file + " is a directory; expected a text file");
      try {
        return FileChannel.open(file, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw new UncheckedIOException("corpus file " + file + " does not exist", e);
      } catch (IOException e) {
        throw new UncheckedIOException("corpus file " + file + ": cannot read (" + e.getMessage() + ")", e);
      }
    }

    @Override
    Scan scan(int maxSentenceLength, int maxVocabSize) {
      WordTable t = new WordTable();
      long words = 0, sentences = 0, minReduce = 1;
      try (FileChannel ch = open()) {
        LineTokenizer tok = new LineTokenizer(ch, file);
        tok.range(0, Long.MAX_VALUE);
        byte[] buf = tok.buf;
        int inSentence = 0;
        for (int k; (k = tok.next()) != LineTokenizer.END; ) {
          if (k == LineTokenizer.TOKEN) {
            t.add(buf, tok.off(), tok.len(), WordTable.hash(buf, tok.off(), tok.len()), 1);
            words++;
            if (++inSentence == maxSentenceLength) {
              sentences++;
              inSentence = 0;
            }
          } else {
            if (inSentence > 0) sentences++;
            inSentence = 0;
            if (maxVocabSize > 0 && t.size() > maxVocabSize) t.prune(++minReduce);
          }
        }
        if (inSentence > 0) sentences++;
      } catch (IOException e) {
        throw new UncheckedIOException("corpus file " + file + ": " + e.getMessage(), e);
      }
      return new Scan(t, words, sentences);
    }

    @Override
    Feed feed(Vocab vocab, int maxSentenceLength) {
      FileChannel ch = open();
      try {
        return new LinesFeed(ch, ch.size(), vocab, maxSentenceLength);
      } catch (IOException e) {
        try {
          ch.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw new UncheckedIOException("corpus file " + file + ": " + e.getMessage(), e);
      }
    }

    /** One epoch over the file: workers claim 1 MiB chunks in turn and tokenize them themselves. */
    private final class LinesFeed extends Feed {
      private final FileChannel ch;
      private final long size;
      private final Vocab vocab;
      private final int maxSentenceLength;
      private final AtomicLong nextChunk = new AtomicLong();

      LinesFeed(FileChannel ch, long size, Vocab vocab, int maxSentenceLength) {
        this.ch = ch;
        this.size = size;
        this.vocab = vocab;
        this.maxSentenceLength = maxSentenceLength;
      }

      @Override
      Source source() {
        return new FileSource();
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }

      /**
       * A worker's reading state. The loop counts in locals and writes the batch's fields once at the end:
       * fields written per token can share a cache line with another worker's data (false sharing).
       */
      private final class FileSource implements Source {
        private final LineTokenizer tok = new LineTokenizer(ch, file);
        private boolean inChunk;

        @Override
        public boolean next(Batch b) throws IOException {
          byte[] buf = tok.buf;
          int[] ids = b.ids, ends = b.ends;
          int words = 0, sentences = 0, from = 0, inSentence = 0;
          long raw = 0;
          while (words < BATCH_WORDS || inSentence > 0) {   // stop between sentences only
            if (!inChunk) {
              long start = nextChunk.getAndIncrement() * CHUNK;
              if (start >= size) break;
              tok.range(start, Math.min(size, start + CHUNK));
              inChunk = true;
            }
            int k = tok.next();
            if (k == LineTokenizer.TOKEN) {
              raw++;
              int off = tok.off(), len = tok.len();
              int id = vocab.table.find(buf, off, len, WordTable.hash(buf, off, len));
              if (id >= 0) ids[words++] = id;
              if (++inSentence < maxSentenceLength) continue;
            } else if (k == LineTokenizer.END) {
              inChunk = false;
            }
            inSentence = 0;
            if (words > from) ends[sentences++] = words;
            from = words;
          }
          if (words > from) ends[sentences++] = words;
          b.words = words;
          b.sentences = sentences;
          b.raw = raw;
          return raw > 0;
        }
      }
    }

    @Override
    public String toString() {
      return file.toString();
    }
  }
}
