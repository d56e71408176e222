package org.neurite.text.translate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Corpus-level BLEU-4 exactly as sacreBLEU 2.x computes it with its defaults ({@code tokenize="13a"},
 * case-sensitive, {@code smooth_method="exp"}, no effective order). Not sentence BLEU, not chrF.
 *
 * <pre>
 *   tokenise every hypothesis and reference with 13a (mteval-v13a.pl's rules, below)
 *   for each sentence: c_n += sum over hypothesis n-grams of min(count_hyp, max over refs count_ref)
 *                      t_n += number of hypothesis n-grams          (n = 1..4)
 *                      hypLen += |hyp|;  refLen += |the reference closest in length| (a tie: the shorter)
 *   p_n = 100 c_n / t_n; when c_n = 0, sacreBLEU's "exp" smoothing: k *= 2 (k starts at 1), p_n = 100 / (k t_n)
 *   BP  = 1 if hypLen >= refLen, else exp(1 - refLen / hypLen) (0 if hypLen = 0)
 *   BLEU = BP * exp(1/4 sum_n log p_n)      (0 when no unigram matches, or when some t_n = 0)
 * </pre>
 * reference: Papineni et al. 2002; Post 2018, "A Call for Clarity in Reporting BLEU Scores"
 * (sacrebleu/metrics/bleu.py, sacrebleu/tokenizers/tokenizer_13a.py).
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Bleu {
  private static final int ORDER = 4;
  // tokenizer_13a.py, in order: punctuation and symbols, then '.' ',' unless beside a digit, then '-' after a digit.
  private static final Pattern PUNCT = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
  private static final Pattern PERIOD_COMMA_UNLESS_PRECEDED_BY_DIGIT = Pattern.compile("([^0-9])([\\.,])");
  private static final Pattern PERIOD_COMMA_UNLESS_FOLLOWED_BY_DIGIT = Pattern.compile("([\\.,])([^0-9])");
  private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

  /** A corpus score: BLEU (0-100), the four n-gram precisions (%), BP, and the lengths, as sacreBLEU prints them. */
  public record Score(double bleu, double[] precisions, double brevityPenalty, long hypLen, long refLen, long[] correct,
      long[] total) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
          bleu, precisions[0], precisions[1], precisions[2], precisions[3], brevityPenalty,
          refLen == 0 ? 0.0 : (double) hypLen / refLen, hypLen, refLen);
    }
  }

  private Bleu() {}

  /** sacreBLEU's 13a tokenisation of one line (mteval-v13a's, without its lower-casing). */
  public static String tokenize13a(String line) {
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
    if (line.indexOf('&') >= 0)
      line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    line = " " + line + " ";
    line = PUNCT.matcher(line).replaceAll(" $1 ");
    line = PERIOD_COMMA_UNLESS_PRECEDED_BY_DIGIT.matcher(line).replaceAll("$1 $2 ");
    line = PERIOD_COMMA_UNLESS_FOLLOWED_BY_DIGIT.matcher(line).replaceAll(" $1 $2");
    line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
    return String.join(" ", split(line));
  }

  private static List<String> split(String s) {   // Python's str.split(): runs of whitespace, no empty tokens
    List<String> out = new ArrayList<>();
    for (String t : s.trim().split("\\s+")) if (!t.isEmpty()) out.add(t);
    return out;
  }

  /** Corpus BLEU of {@code hypotheses} against one reference each. */
  public static Score corpus(List<String> hypotheses, List<String> references) {
    return corpusMulti(hypotheses, List.of(references));
  }

  /**
   * Corpus BLEU with several reference streams, sacreBLEU's {@code corpus_score(hyps, [refs1, refs2, ...])}:
   * {@code referenceStreams.get(r).get(i)} is reference r of sentence i.
   */
  public static Score corpusMulti(List<String> hypotheses, List<List<String>> referenceStreams) {
    if (referenceStreams.isEmpty()) throw new IllegalArgumentException("BLEU: no reference streams");
    for (List<String> refs : referenceStreams)
      if (refs.size() != hypotheses.size())
        throw new IllegalArgumentException("BLEU: " + hypotheses.size() + " hypotheses but a reference stream has "
            + refs.size() + " sentences; expected one reference per hypothesis in each stream");
    long[] correct = new long[ORDER], total = new long[ORDER];
    long hypLen = 0, refLen = 0;
    for (int i = 0; i < hypotheses.size(); i++) {
      List<String> hyp = split(tokenize13a(hypotheses.get(i)));
      Map<List<String>, Integer> maxRef = new HashMap<>();
      int closest = -1;
      for (List<String> stream : referenceStreams) {
        List<String> ref = split(tokenize13a(stream.get(i)));
        int len = ref.size();
        // sacreBLEU: the reference length closest to the hypothesis length; on a tie, the shorter
        if (closest < 0 || Math.abs(len - hyp.size()) < Math.abs(closest - hyp.size())
            || (Math.abs(len - hyp.size()) == Math.abs(closest - hyp.size()) && len < closest))
          closest = len;
        for (var e : ngrams(ref).entrySet()) maxRef.merge(e.getKey(), e.getValue(), Math::max);
      }
      hypLen += hyp.size();
      refLen += closest;
      for (var e : ngrams(hyp).entrySet()) {
        int n = e.getKey().size() - 1;
        total[n] += e.getValue();
        correct[n] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
      }
    }
    return score(correct, total, hypLen, refLen);
  }

  /** sacreBLEU's compute_bleu from the sufficient statistics. */
  public static Score score(long[] correct, long[] total, long hypLen, long refLen) {
    double[] p = new double[ORDER];
    double bp = hypLen >= refLen ? 1.0 : hypLen > 0 ? Math.exp(1.0 - (double) refLen / hypLen) : 0.0;
    boolean anyMatch = false;
    for (long c : correct) anyMatch |= c > 0;
    if (!anyMatch) return new Score(0.0, p, bp, hypLen, refLen, correct.clone(), total.clone());
    double smooth = 1.0;
    for (int n = 0; n < ORDER; n++) {
      if (total[n] == 0) break;
      if (correct[n] == 0) {
        smooth *= 2;
        p[n] = 100.0 / (smooth * total[n]);
      } else {
        p[n] = 100.0 * correct[n] / total[n];
      }
    }
    double logSum = 0;
    for (double x : p) logSum += x == 0 ? -9999999999.0 : Math.log(x);   // sacreBLEU's my_log
    return new Score(bp * Math.exp(logSum / ORDER), p, bp, hypLen, refLen, correct.clone(), total.clone());
  }

  private static Map<List<String>, Integer> ngrams(List<String> tokens) {
    Map<List<String>, Integer> out = new HashMap<>();
    for (int n = 1; n <= ORDER; n++)
      for (int i = 0; i + n <= tokens.size(); i++) out.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
    return out;
  }
}
