/**
 * Pushpin's auto cross-origin ({@code aco}) and JSON-P as pure functions: the CORS headers a response gets, the
 * request a JSON-P call stands for, and the script a response becomes (reference §5.4). No Spring, no Reactor, no
 * Netty; the gateway applies them to passed-through and held responses alike.
 */
@NullMarked
package io.gripway.crossorigin;

import org.jspecify.annotations.NullMarked;
