/**
 * The publish API: Pushpin-compatible items and formats (pure model and parser), and the HTTP endpoint that accepts
 * them on the publish port.
 */
@NullMarked
package io.gripway.publish;

import org.jspecify.annotations.NullMarked;
