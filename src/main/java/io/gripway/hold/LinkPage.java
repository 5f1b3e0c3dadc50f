package io.gripway.hold;

import java.net.URI;
import java.util.Objects;

import io.gripway.http.Content;
import io.gripway.instruct.Instruct;

/**
 * What a next link answered: its body, appended to the stream, and its instruction, which the stream adopts (channels,
 * prev-ids, the following next link, keep-alive, meta).
 *
 * @param uri the absolute URI that was fetched: the base for the relative links in {@code instruct}
 * @param instruct the page's instruction; its hold is a stream hold or none
 * @param body the page's body, as the origin sent it
 */
public record LinkPage(URI uri, Instruct instruct, Content body) {

	public LinkPage {
		Objects.requireNonNull(uri, "uri");
		Objects.requireNonNull(instruct, "instruct");
		Objects.requireNonNull(body, "body");
	}

}
