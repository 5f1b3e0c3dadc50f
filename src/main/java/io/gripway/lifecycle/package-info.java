/**
 * Running as a replica behind a load balancer: health for the liveness and readiness probes, and the graceful drain
 * that ends every held connection cleanly, spread over a window, when the node shuts down.
 */
@NullMarked
package io.gripway.lifecycle;

import org.jspecify.annotations.NullMarked;
