package io.gripway.hold;

import java.net.URI;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * How a held connection asks its origin for what it missed: the next link of a stream ({@code Grip-Link; rel=next}).
 * The gateway implements it over HTTP, through the route the connection came from, signed; this package only decides
 * when to ask and what to do with the answer.
 *
 * <h3>Thread safety</h3> Called from the bus's delivery thread, timers and event loops; must not block. The returned
 * {@code Mono} emits on whatever thread the answer arrives on.
 */
public interface OriginLinks {

	/**
	 * GETs {@code link} with one {@code Grip-Last: <channel>; last-id=<id>} per entry of {@code lastIds}, retrying a
	 * failure before any byte with backoff.
	 * @param urgent a {@code hint}: bypasses the recovery rate limit
	 * @return the page the origin answered: a 2xx response whose instruction is a stream hold or no hold; an error once
	 * the retries are spent or the answer is not acceptable
	 */
	Mono<LinkPage> follow(URI link, Map<String, String> lastIds, boolean urgent);

	/** Follows nothing: every fetch fails. For holds whose origin gave no next link, and for tests. */
	OriginLinks NONE = (link, lastIds, urgent) -> Mono.error(new IllegalStateException("no next link support"));

}
