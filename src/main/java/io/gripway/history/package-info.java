/**
 * Channel history at the edge: the recent items of the channels it is enabled for, kept where every node can read
 * them, so a connection that missed items is caught up by Gripway itself instead of by its origin. Pure model plus
 * the in-memory store; no Spring.
 */
@NullMarked
package io.gripway.history;

import org.jspecify.annotations.NullMarked;
