package org.neurite.text.translate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values: by hand below, and from sacreBLEU 2.6.0 ({@code sacrebleu.corpus_bleu(sys, refs)}) where stated. */
class BleuTest {
  @Test
  void tokenize13aAsSacreBleu() {
    // sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(s), sacreBLEU 2.6.0
    assertEquals("Hello , world ! It's 3.5 - 4 dollars .", Bleu.tokenize13a("Hello, world! It's 3.5-4 dollars."));
    assertEquals("A & B said \" no \" ( really ? ) { x } [ y ] 1,000.5 end .",
        Bleu.tokenize13a("A&amp;B said &quot;no&quot; (really?) {x}[y] 1,000.5 end."));
    assertEquals("e-mail 2 - 3 x / y", Bleu.tokenize13a("e-mail 2-3 x/y"));
  }

  @Test
  void identicalIsHundred() {
    var s = Bleu.corpus(List.of("a b c d e", "the cat sat on the mat ."), List.of("a b c d e", "the cat sat on the mat ."));
    assertEquals(100.0, s.bleu(), 1e-9);
  }

  @Test
  void handComputedWithExpSmoothing() {
    // hyp "the cat sat on the mat", ref "the cat is on the mat": matches 5/6, 3/5, 1/4, 0/3;
    // the 4-gram precision is smoothed to 100 / (2 * 3); BP = 1.
    var s = Bleu.corpus(List.of("the cat sat on the mat"), List.of("the cat is on the mat"));
    double expected = Math.exp((Math.log(500.0 / 6) + Math.log(60) + Math.log(25) + Math.log(100.0 / 6)) / 4);
    assertEquals(expected, s.bleu(), 1e-9);
    assertEquals(37.99178428257963, s.bleu(), 1e-9);   // sacreBLEU 2.6.0
    assertArrayEquals(new long[] {5, 3, 1, 0}, s.correct());
    assertArrayEquals(new long[] {6, 5, 4, 3}, s.total());
  }

  @Test
  void brevityPenalty() {
    // every n-gram matches; BP = exp(1 - 6/5)
    var s = Bleu.corpus(List.of("the cat sat on the"), List.of("the cat sat on the mat"));
    assertEquals(Math.exp(1 - 6.0 / 5), s.brevityPenalty(), 1e-12);
    assertEquals(100 * Math.exp(-0.2), s.bleu(), 1e-9);
  }

  @Test
  void tooShortForFourGramsOrNoMatchesIsZero() {
    assertEquals(0.0, Bleu.corpus(List.of("the cat"), List.of("the cat sat on the mat")).bleu(), 1e-12);
    assertEquals(0.0, Bleu.corpus(List.of("", "x y z"), List.of("a b", "q r s t")).bleu(), 1e-12);
    var s = Bleu.corpus(List.of("The Cat."), List.of("the cat ."));   // case-sensitive, as sacreBLEU's default
    assertEquals(0.0, s.bleu(), 1e-12);
    assertArrayEquals(new long[] {1, 0, 0, 0}, s.correct());
  }

  @Test
  void sacreBleuReadmeExample() {
    List<String> sys = List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");
    List<String> ref1 = List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first.");
    List<String> ref2 = List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog.");
    var two = Bleu.corpusMulti(sys, List.of(ref1, ref2));
    // BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
    assertEquals(48.530827009929865, two.bleu(), 1e-9);
    assertEquals(0.9428731438548749, two.brevityPenalty(), 1e-12);
    assertArrayEquals(new long[] {14, 7, 5, 3}, two.correct());
    assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", two.toString());
    assertEquals(45.06750632106114, Bleu.corpus(sys, ref1).bleu(), 1e-9);
  }

  @Test
  void mismatchedCountsAreAnError() {
    var e = assertThrows(IllegalArgumentException.class, () -> Bleu.corpus(List.of("a"), List.of("a", "b")));
    assertTrue(e.getMessage().contains("1 hypotheses"), e.getMessage());
  }
}
