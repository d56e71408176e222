/**
 * Reading and writing model files: safetensors, and atomic whole-file writes (temporary file, then rename) so a crash never leaves a half-written file.
 */
package org.neurite.io;
