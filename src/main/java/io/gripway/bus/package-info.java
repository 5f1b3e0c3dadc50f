/**
 * The channel bus that carries published items to every node: in memory for a single node, Redis pub/sub for a
 * cluster. One small interface; the implementations are package-private and built in {@code io.gripway.config}.
 */
@NullMarked
package io.gripway.bus;

import org.jspecify.annotations.NullMarked;
