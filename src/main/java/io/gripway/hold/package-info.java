/**
 * Held connections: the registry that maps channels to the connections held on them, and the per-connection holds
 * that turn published items into what each transport writes. Independent of Spring Cloud Gateway.
 */
@NullMarked
package io.gripway.hold;

import org.jspecify.annotations.NullMarked;
