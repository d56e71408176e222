/**
 * Optimizers that update parameter tensors in place from their gradients. Not learning-rate schedules or training loops (those come with the training API).
 */
package org.neurite.optim;
