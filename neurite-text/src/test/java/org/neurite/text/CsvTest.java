package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  private static List<List<String>> rows(String s, char delim, boolean quoting) {
    return Csv.parse(s, delim, quoting, "t").stream().map(Csv.Row::fields).toList();
  }

  @Test
  void rfc4180Cases() {
    assertEquals(List.of(List.of("a", "b,c", "d")), rows("a,\"b,c\",d", ',', true));
    assertEquals(List.of(List.of("x\r\ny", "")), rows("\"x\r\ny\",\r\n", ',', true));       // CRLF inside quotes; trailing comma
    assertEquals(List.of(List.of("", "", "")), rows(",,", ',', true));
    assertEquals(List.of(List.of("\"", "a\"\"b")), rows("\"\"\"\",a\"\"b", ',', true));    // "" inside quotes; quotes in a bare field
    assertEquals(List.of(List.of("1"), List.of("2"), List.of("3")), rows("1\r2\n\n   \n3\r\n", ',', true));
    assertEquals(List.of(List.of("")), rows("\"\"", ',', true));                          // a quoted empty field is a record
  }

  @Test
  void lineNumbersCountBreaksInsideQuotes() {
    List<Csv.Row> r = Csv.parse("h\n\"a\nb\nc\"\nd\n", ',', true, "t");
    assertEquals(List.of(1, 2, 5), r.stream().map(Csv.Row::line).toList());
  }

  @Test
  void tsvKeepsQuotes() {
    assertEquals(List.of(List.of("\"a", "b\"")), rows("\"a\tb\"", '\t', false));
  }
}
