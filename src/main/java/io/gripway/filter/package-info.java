/**
 * GRIP's content filters ({@code build-id}, {@code var-subst}): how a subscription rewrites a published item's content
 * for one connection, and whether an item that names its {@code content-filters} may reach that subscription at all.
 * Pure functions over {@link io.gripway.http.Content}: no Spring, no Reactor, no Netty.
 */
@NullMarked
package io.gripway.filter;

import org.jspecify.annotations.NullMarked;
