/**
 * The publish API's HTTP endpoint on its own port: Pushpin's routes and replies, authentication of publishers, and the
 * hand-over of accepted items to the bus. The publish model and parser it serves live in {@code io.gripway.publish},
 * which knows nothing of the bus or of HTTP servers.
 */
@NullMarked
package io.gripway.publish.endpoint;

import org.jspecify.annotations.NullMarked;
