/**
 * The {@code neurite} command line (picocli): {@code train}, {@code finetune}, {@code eval}, {@code predict},
 * {@code classify}, {@code translate}, {@code run}, {@code convert}, {@code word2vec}, {@code bench} and
 * {@code demo}, with the {@code --data} spellings of the image and text datasets. A thin shell that parses
 * arguments and calls the library modules; not a library API, and no model code of its own.
 */
package org.neurite.cli;
