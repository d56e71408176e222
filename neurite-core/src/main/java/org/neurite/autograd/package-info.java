/**
 * Define-by-run reverse-mode differentiation: the tape ops record on, backward over it, grad mode (no-grad scopes for inference), the NaN/Inf debug mode and the finite-difference gradient checker. Not the derivatives themselves: each op's backward sits beside its forward in {@code org.neurite.ops}.
 */
package org.neurite.autograd;
