package io.gripway.instruct;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code Grip-Link: <uri>; rel=next[; timeout=N]}: where the proxy fetches what follows this response, when a stream's
 * connection has a gap, is hinted, is recovered, or has been quiet on every channel for {@code timeout}.
 *
 * @param uri the link as the origin wrote it, possibly relative to the request it answered
 * @param timeout how long every channel may stay quiet before the link is fetched again to refresh the stream
 */
public record NextLink(String uri, Duration timeout) {

	public NextLink {
		Objects.requireNonNull(uri, "uri");
		Objects.requireNonNull(timeout, "timeout");
	}

}
