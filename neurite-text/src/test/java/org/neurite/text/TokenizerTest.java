package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private final Tokenizer tok = new Tokenizer();

  @Test
  void englishPunctuationAndContractions() {
    assertEquals(List.of("don't", "panic", ",", "it's", "only", "a", "test", "!"), tok.tokenize("Don't panic, it's only a TEST!"));
    assertEquals(List.of("the", "film's", "co", "-", "writer", "said", ":", "\"", "no", "\"", "."),
        tok.tokenize("The film's co-writer said: \"no\"."));
    // a curly apostrophe inside a word, a leading and a trailing quote outside it
    assertEquals(List.of("can’t", "'", "em", "'"), tok.tokenize("can’t 'em'"));
  }

  @Test
  void numbersKeepDecimalPointsAndThousands() {
    assertEquals(List.of("it", "costs", "$", "1,000.50", "or", "3.5", "%", "in", "2024", ".", "1", ",", "2"),
        tok.tokenize("It costs $1,000.50 or 3.5% in 2024. 1, 2"));
  }

  @Test
  void accentedWordsStayWhole() {
    assertEquals(List.of("café", "naïve", "zoë", "señor", "straße"), tok.tokenize("Café naïve Zoë Señor Straße"));
    assertEquals(List.of("el", "ladrón", "de", "orquídeas"), tok.tokenize("el ladrón de orquídeas"));
    // decomposed input (e + combining acute) is composed by normalisation: the same token as precomposed
    assertEquals(List.of("café"), tok.tokenize("cafe\u0301"));
    assertEquals(List.of("москва", "-", "столица"), tok.tokenize("Москва — столица".replace("—", "-")));
  }

  @Test
  void chineseSentenceBecomesCharacters() {
    assertEquals(List.of("我", "爱", "自", "然", "语", "言", "处", "理", "。"), tok.tokenize("我爱自然语言处理。"));
    // full-width comma folds to ',' under NFKC
    assertEquals(List.of("你", "好", ",", "世", "界"), tok.tokenize("你好，世界"));
    assertEquals(List.of("ひ", "ら", "が", "な", "カ", "タ", "カ", "ナ", "ー"), tok.tokenize("ひらがなカタカナー"));
  }

  @Test
  void mixedScripts() {
    assertEquals(List.of("我", "用", "java", "21", "写", "了", "tokenizer", "!"), tok.tokenize("我用Java 21写了Tokenizer！"));
    assertEquals(List.of("deep", "learning", "是", "机", "器", "学", "习"), tok.tokenize("Deep learning是机器学习"));
  }

  @Test
  void hangulIsWordsUnlessAskedForCharacters() {
    assertEquals(List.of("한국어", "텍스트"), tok.tokenize("한국어 텍스트"));
    assertEquals(List.of("한", "국", "어"), tok.hangulAsCharacters(true).tokenize("한국어"));
  }

  @Test
  void emptyAndWhitespaceOnlyGiveNoTokens() {
    assertEquals(List.of(), tok.tokenize(""));
    assertEquals(List.of(), tok.tokenize(" \t\n\r\u00A0\u3000 "));
    assertEquals(List.of(), tok.punctuation(false).tokenize("... !?"));
  }

  @Test
  void options() {
    assertEquals(List.of("Hello", "World"), tok.lowerCase(false).punctuation(false).tokenize("Hello, World!"));
    assertEquals(List.of("hello", "world"), tok.punctuation(false).tokenize("hello -- world..."));
    // NFKC folds full-width letters and the ellipsis; NFC keeps them
    assertEquals(List.of("abc1", ".", ".", "."), tok.tokenize("ＡＢＣ１…"));
    assertEquals(List.of("ａｂｃ１", "…"), tok.normalization(Normalizer.Form.NFC).tokenize("ＡＢＣ１…"));
    assertEquals("Tokenizer(lowerCase=false, punctuation=drop)", tok.lowerCase(false).punctuation(false).toString());
  }

  @Test
  void formatCharactersAndEmoji() {
    assertEquals(List.of("cooperate"), tok.tokenize("co\u00ADoperate"));          // soft hyphen dropped inside a word
    assertEquals(List.of("hi"), tok.tokenize("\uFEFFhi"));                        // byte-order mark
    assertEquals(List.of("great", "👍"), tok.tokenize("great👍"));
    assertEquals(List.of("👨\u200D👩\u200D👧"), tok.tokenize("👨\u200D👩\u200D👧"));  // one ZWJ sequence, one token
    assertEquals(List.of("❤\uFE0F"), tok.tokenize("❤\uFE0F"));                    // variation selector stays on its symbol
  }

  @Test
  void deterministicAndFast() {
    String line = "the rock is destined to be the 21st century's new \" conan \" and that he's going to make a splash . ";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 2000; i++) b.append(line).append("我爱你 Café ");
    String text = b.toString();
    List<String> first = tok.tokenize(text);
    assertEquals(first, tok.tokenize(text));
    long t0 = System.nanoTime();
    int n = 0;
    for (int r = 0; r < 5; r++) n += tok.tokenize(text).size();
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(n == 5 * first.size());
    // ~250k tokens in 5 passes; generous bound so a slow CI machine passes, a quadratic bug does not
    assertTrue(seconds < 5, "tokenizing took " + seconds + " s");
  }
}
