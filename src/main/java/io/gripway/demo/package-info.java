/** A built-in demo origin that answers with GRIP instructions, so Gripway can be tried with nothing but curl. */
@NullMarked
package io.gripway.demo;

import org.jspecify.annotations.NullMarked;
