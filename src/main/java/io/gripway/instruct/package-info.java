/**
 * GRIP instructions from an origin (Grip-* response headers, or an application/grip-instruct body), parsed by pure
 * functions into immutable values. Nothing here knows Spring, Reactor or Netty.
 */
@NullMarked
package io.gripway.instruct;

import org.jspecify.annotations.NullMarked;
