/**
 * Gripway's own HTTP servers beside the proxy port (the publish API, the demo origin): their start and stop with the
 * application, and the limits every port applies (the request-header timeout).
 */
@NullMarked
package io.gripway.server;

import org.jspecify.annotations.NullMarked;
