/**
 * The passthrough fast path: plain requests on Gripway's own route ({@code gripway.origin}) relayed straight to the
 * origin, without the WebFlux exchange, the handler mappings and the gateway's filter chain, with the same effect on
 * the wire as that path. It takes a request only where it knows the answer the gateway would give; everything else,
 * and every request while the gateway is configured in a way it does not reproduce, takes the gateway's path.
 */
@NullMarked
package io.gripway.passthrough;

import org.jspecify.annotations.NullMarked;
