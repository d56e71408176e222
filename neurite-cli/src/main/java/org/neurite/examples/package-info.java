/**
 * Runnable examples: the seed's listings (a Keras CNN, a Keras LSTM classifier, a PyTorch attention
 * module) written line for line in Neurite, and transfer learning from a pretrained CNN. Each is a
 * {@code main} to read and run; not a library API and not tested for speed.
 */
package org.neurite.examples;
