/**
 * The warm-up before the proxy port opens: requests of every kind through the proxy's own path to a private loopback
 * origin, so that the clients a rolling restart sends to a fresh JVM find its request path compiled.
 */
@NullMarked
package io.gripway.warmup;

import org.jspecify.annotations.NullMarked;
